// Loaded with --import before the engine: gives the process an Electron-like `process.parentPort`
// (messages in as { data }, out through postMessage), carried over Node's IPC channel, with each
// outgoing message wrapped so a test can tell it went through the parentPort.
import { EventEmitter } from 'node:events';

const port = new EventEmitter();
port.postMessage = (message) => process.send({ viaParentPort: message });
process.on('message', (message) => port.emit('message', { data: message, ports: [] }));
Object.defineProperty(process, 'parentPort', { value: port, enumerable: true });
