// 落地页的简体中文文本：与 en.ts 的键一一对应（类型检查）。
import type { MessageKey } from './en.js';

export const zh: Record<MessageKey, string> = {
  'page.title': '在此设备上设置邮件',
  'page.intro': 'LanPost 是本网络中 {domain} 的邮件服务器。输入你的邮件地址，然后按你设备对应的步骤操作。',
  'page.language': '语言',
  'page.loading': '正在加载…',
  'page.unreachable': '邮件服务器没有响应。LanPost 还在运行吗？',

  'address.label': '你的邮件地址',
  'address.foreign': '{domain} 不是本服务器的邮件域（本服务器的域：{domains}）。',
  'address.malformed': '请输入完整地址，例如 alice@{domain}。',

  'device.detected': '看起来这是：{device}。不对？请选择你的程序或设备：',
  'device.thunderbird': 'Thunderbird',
  'device.outlook': 'Outlook',
  'device.apple': 'iPhone、iPad 或 Mac',
  'device.android': 'Android',
  'device.windows-mail': 'Windows 邮件',

  'thunderbird.1': '打开 Thunderbird，选择 账户设置 → 账户操作 → 添加邮件账户（第一次启动时 Thunderbird 会自动询问）。',
  'thunderbird.2': '输入你的姓名、{address} 和密码，然后点击“继续”。',
  'thunderbird.3': 'Thunderbird 会自动找到服务器（IMAP 和 SMTP，SSL/TLS）：确认后点击“完成”。无需再输入其他内容。',
  'thunderbird.4': '如果 Thunderbird 提示证书问题，请先导入一次 LanPost CA（见下方）：设置 → 隐私与安全 → 证书 → 管理证书 → 证书颁发机构 → 导入，并勾选“信任由此证书颁发机构来标识网站”。',

  'outlook.1': '先安装一次 LanPost CA：下载 lanpost-ca.cer（见下方），打开它，选择 安装证书 → 当前用户 → “将所有的证书都放入下列存储” → 受信任的根证书颁发机构 → 完成，并点击“是”。',
  'outlook.2': '经典版 Windows Outlook：文件 → 添加账户，输入 {address}，点击“连接”。Outlook 会查询 autodiscover.{domain} 并自动填好服务器；按提示输入密码。',
  'outlook.newerTitle': '较新的 Outlook 版本',
  'outlook.newer1': 'Microsoft 365 版 Outlook 以及 Outlook 2016 及更高版本会先向微软查询该地址。对于只存在于本网络的域，微软一无所知，Outlook 会列出账户类型：选择 IMAP，然后输入下表中的服务器（高级选项 → “让我手动设置我的账户”可直接到达）。',
  'outlook.newer2': '新版 Windows Outlook 以及 iPhone 和 Android 上的 Outlook 通过微软云连接 IMAP 账户，而微软云无法访问你网络中的服务器：请使用经典版 Outlook、Thunderbird 或手机自带的邮件应用。',

  'apple.1': '点击下方的“下载描述文件”。如果输入了密码，设备就不会再询问。',
  'apple.2': 'iPhone 或 iPad：设置 → 已下载描述文件 → 安装。显示“未验证”是正常的，因为描述文件是在本网络中生成的。Mac：系统设置 → 隐私与安全性 → 描述文件，然后点击“安装”。',
  'apple.3': '仅 iPhone 或 iPad：设置 → 通用 → 关于本机 → 证书信任设置，打开“LanPost CA ({domain})”。',
  'apple.4': '打开“邮件”：账户 {address} 已经在那里。以后再次安装该描述文件会替换它。',
  'apple.password': '密码（可选；只通过这个加密页面发送）',
  'apple.download': '下载描述文件',
  'apple.notSecure': '本页面不是通过 HTTPS 打开的，因此描述文件中不含密码：设备会询问密码。',
  'apple.problem.invalid': '地址或密码错误。请重试，或下载不含密码的描述文件。',
  'apple.problem.disabled': '该邮箱已停用。请联系 LanPost 的管理员。',
  'apple.problem.throttled': '此设备输错密码次数过多。请等几分钟，或下载不含密码的描述文件。',

  'android.1': '下载 lanpost-ca.crt（见下方）。然后 设置 → 安全 → 更多安全设置 → 加密与凭据 → 安装证书 → CA 证书，选择该文件。（不同厂商名称不同：可在设置中搜索“CA 证书”。）安装前请先核对指纹。',
  'android.2': 'Thunderbird for Android（K-9 Mail）：输入 {address} 和密码，它会自动找到服务器。',
  'android.3': '其他邮件应用（例如 Gmail → 添加账户 → 其他）：选择 IMAP，输入下表中的服务器，用户名为完整邮件地址。',

  'windows-mail.1': '与 Outlook 一样，先安装一次 LanPost CA：打开 lanpost-ca.cer（见下方）→ 安装证书 → 当前用户 → 受信任的根证书颁发机构。',
  'windows-mail.2': '邮件 → 设置 → 管理账户 → 添加账户 → 高级设置 → Internet 电子邮件。',
  'windows-mail.3': '地址和用户名都填 {address}，输入密码，账户类型选 IMAP4，服务器按下表填写；保持勾选“发送服务器要求身份验证”和两个“需要 SSL”。',
  'windows-mail.4': 'Windows 11 已于 2024 年用新版 Outlook 取代“邮件”；它能访问和不能访问的内容见 Outlook 一节。',

  'servers.title': '如果程序询问服务器',
  'servers.kind': '类型',
  'servers.server': '服务器',
  'servers.port': '端口',
  'servers.security': '安全',
  'servers.kind.imap': '收信（IMAP）',
  'servers.kind.pop3': '收信（POP3）',
  'servers.kind.smtp': '发信（SMTP）',
  'servers.tls.ssl': 'SSL/TLS',
  'servers.tls.starttls': 'STARTTLS',
  'servers.username': '用户名：完整邮件地址。密码：邮箱密码。身份验证：普通密码。',

  'ca.title': 'LanPost 证书颁发机构',
  'ca.intro': '设备信任 LanPost CA 之后就会信任本服务器。安装前，请将此指纹与 LanPost 窗口“证书”页面上的指纹核对：',
  'ca.crt': 'lanpost-ca.crt（PEM：Android、Thunderbird、Linux）',
  'ca.cer': 'lanpost-ca.cer（DER：Windows、Mac）',
};
