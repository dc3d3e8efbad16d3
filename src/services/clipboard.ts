// Copies text to the system clipboard with whatever tool the platform has. No library: each platform
// has one obvious command, and a missing one simply means "not copied".
const TOOLS: Array<[cmd: string, args: string[]]> =
  process.platform === 'darwin'
    ? [['pbcopy', []]]
    : process.platform === 'win32'
      ? [['clip', []]]
      : [
          ['wl-copy', []],
          ['xclip', ['-selection', 'clipboard']],
          ['xsel', ['--clipboard', '--input']],
          ['clip.exe', []],
        ];

/** Returns the tool that took the text, or undefined when none is available. */
export async function copyToClipboard(text: string): Promise<string | undefined> {
  const { execa } = await import('execa');
  for (const [cmd, args] of TOOLS) {
    if (cmd === 'wl-copy' && !process.env.WAYLAND_DISPLAY) continue;
    if ((cmd === 'xclip' || cmd === 'xsel') && !process.env.DISPLAY) continue;
    const r = await execa(cmd, args, { input: text, reject: false, timeout: 3000 });
    if (r.exitCode === 0) return cmd;
  }
  return undefined;
}
