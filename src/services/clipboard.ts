// Copies text to the system clipboard with whatever tool the platform has. No library: each platform
// has one obvious command, and a missing one simply means "not copied" (and no offer to copy).
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

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

/** The tools that could take the text here: on PATH, and with the display they need. */
export function clipboardTools(env: NodeJS.ProcessEnv = process.env): Array<[cmd: string, args: string[]]> {
  return TOOLS.filter(([cmd]) => {
    if (cmd === 'wl-copy' && !env.WAYLAND_DISPLAY) return false;
    if ((cmd === 'xclip' || cmd === 'xsel') && !env.DISPLAY) return false;
    return onPath(cmd, env);
  });
}

function onPath(cmd: string, env: NodeJS.ProcessEnv): boolean {
  const exts = process.platform === 'win32' ? (env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';') : [''];
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean))
    for (const ext of exts) {
      try {
        accessSync(join(dir, cmd + ext), constants.X_OK);
        return true;
      } catch {}
    }
  return false;
}

/** Returns the tool that took the text, or undefined when none is available. */
export async function copyToClipboard(text: string): Promise<string | undefined> {
  const { execa } = await import('execa');
  for (const [cmd, args] of clipboardTools()) {
    const r = await execa(cmd, args, { input: text, reject: false, timeout: 3000 });
    if (r.exitCode === 0) return cmd;
  }
  return undefined;
}

/** A command that puts the saved document on the clipboard (or the screen, where there is no clipboard tool). */
export function copyCommand(path: string, platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): string {
  const q = /^[\w@%+=:,./-]+$/.test(path) ? path : `"${path.replace(/"/g, '\\"')}"`;
  if (platform === 'darwin') return `pbcopy < ${q}`;
  if (platform === 'win32') return `clip < ${q}   (PowerShell: Get-Content ${q} | Set-Clipboard)`;
  if (env.WAYLAND_DISPLAY) return `wl-copy < ${q}`;
  if (env.DISPLAY) return `xclip -selection clipboard < ${q}`;
  // A server: no clipboard. The file's text, printed whole, copies from the terminal as it is.
  return `cat ${q}`;
}
