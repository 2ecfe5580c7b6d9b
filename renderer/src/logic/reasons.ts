// The engine explains a refused value in English (the CLI prints the same words). For the
// Chinese window, the common explanations are matched here and said in Chinese; anything not
// matched is shown as the engine wrote it. Pure.
type Rule = [RegExp, (m: RegExpExecArray) => string];

const ZH: Rule[] = [
  [/^must be a number( of \w+)?( \(.*\))?$/, () => '必须是数字'],
  [/^must be a whole number( of seconds)?$/, () => '必须是整数'],
  [/^must be at least (\d+)( seconds?)?$/, (m) => `不能小于 ${m[1]}${m[2] ? ' 秒' : ''}`],
  [/^must be at most (\d+)( seconds?)?.*$/, (m) => `不能大于 ${m[1]}${m[2] ? ' 秒' : ''}`],
  [/^must be from 0 to 65535( \(0 picks a free port\))?$/, (m) => `必须在 0 到 65535 之间${m[1] ? '（0 表示自动选择空闲端口）' : ''}`],
  [/^must be true or false$/, () => '必须是“是”或“否”'],
  [/^must be a DNS name such as (\S+)/, (m) => `必须是域名，例如 ${m[1]}（字母、数字、连字符和点）`],
  [/^must be a network in CIDR form such as (\S+)/, (m) => `必须是 CIDR 形式的网络，例如 ${m[1]}`],
  [/^must be an IPv4 address such as (\S+)$/, (m) => `必须是 IPv4 地址，例如 ${m[1]}`],
  [/^must be an IPv6 address such as (\S+)$/, (m) => `必须是 IPv6 地址，例如 ${m[1]}`],
  [/^must be an IP address such as (.+)$/, (m) => `必须是 IP 地址，例如 ${m[1].replace(/ or /g, ' 或 ')}`],
  [/^must list at least the mail domain$/, () => '至少要包含邮件域名'],
  [/^must include the mail domain (\S+)$/, (m) => `必须包含邮件域名 ${m[1]}`],
  [/^is missing$/, () => '缺少此项'],
  [/^must be empty \(no smarthost\), a host name or an IP address$/, () => '必须留空（不用中继主机），或是主机名或 IP 地址'],
  [/^must be a host name such as (.+)$/, (m) => `必须是主机名，例如 ${m[1]!.replace(/ or /g, ' 或 ')}`],
  [/^unknown setting/, () => '没有这个设置'],
  [/^must be a time of day such as (\S+)$/, (m) => `必须是一天中的时间，例如 ${m[1]}`],
  [/^must be empty \(backups\/ in the data folder\) or a full path such as (\S+)$/, (m) => `必须留空（数据文件夹中的 backups/），或是完整路径，例如 ${m[1]}`],
  [/^is not an address of this computer \(choose one of (.+)\)$/, (m) => `不是本机的地址（请从 ${m[1]} 中选择）`],
  [/^(?:password )?must be at least 8 characters$/, () => '密码至少需要 8 个字符'],
  [/^(\S+) already exists$/, (m) => `${m[1]} 已存在`],
  [/^(\S+) is not a local domain of this server \(local domains: (.+)\)$/, (m) => `${m[1]} 不是本服务器的本地域名（本地域名：${m[2]}）`],
  [/^'(.+)' is not a valid mail address/, (m) => `“${m[1]}”不是有效的邮件地址（@ 前只能用字母、数字和 . _ + -）`],
  [/^'(.+)' is not a mail address$/, (m) => `“${m[1]}”不是邮件地址`],
  [/^an alias cannot point at itself$/, () => '别名不能指向自己'],
  [/^an alias needs at least one target address$/, () => '别名至少需要一个目标地址'],
  [/^quota must be a whole number of bytes, 0 for none$/, () => '配额必须是整数字节数，0 表示不限制'],
  [/^The certificate is not a readable PEM certificate/, () => '证书不是可读取的 PEM 证书。'],
  [/^The private key is not a readable PEM key/, () => '私钥不是可读取的 PEM 私钥。'],
  [/^The private key does not belong to this certificate\.$/, () => '私钥与这个证书不匹配。'],
  [/^The certificate expired on (\S+)\.$/, (m) => `证书已于 ${m[1]} 过期。`],
  [/^The certificate is not valid before (\S+)\.$/, (m) => `证书在 ${m[1]} 之前无效。`],
  [/^Paste the private key too/, () => '请同时粘贴私钥：这里没有证书申请生成的私钥。'],
  [/^The name "(.+)" is not a host name/, (m) => `“${m[1]}”不是主机名，例如 mail.example.com。`],
  [/^stop (.+)$/, (m) => `停止 ${m[1]!.replace('the other program', '占用该端口的程序')}`],
  [/^run LanPost as an administrator$/, () => '以管理员身份运行 LanPost'],
  [/^listen on all addresses \(0\.0\.0\.0\)$/, () => '在所有地址（0.0.0.0）上监听'],
];

export function localizeReason(reason: string, language: string): string {
  if (!language.startsWith('zh')) return reason;
  for (const [pattern, say] of ZH) {
    const match = pattern.exec(reason);
    if (match) return say(match);
  }
  return reason;
}
