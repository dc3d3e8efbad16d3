// `swml`: the SignalWire document. Piped, stdout is the document alone; on a terminal it also says where
// to paste it and offers the clipboard, and keeps the SIP password off the screen.
import { requireValues } from '../config.js';
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import { FORMATS, HIDDEN, renderDocument, type Format } from '../render/document.js';
import { PASTE_CXML, PASTE_SWML } from '../signalwire-paths.js';
import { answer, clack, dim, green, out, printDocument } from '../ui.js';

export async function run(ctx: Context): Promise<number> {
  const format = String(ctx.options.format ?? 'json') as Format;
  if (!FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')} (got "${format}")`);
  requireValues(ctx.values, ['LIVEKIT_SIP_DOMAIN']);
  const input = {
    sipDomain: ctx.values.LIVEKIT_SIP_DOMAIN!,
    username: ctx.values.LIVEKIT_SIP_USERNAME,
    password: ctx.values.LIVEKIT_SIP_PASSWORD,
  };
  const text = await renderDocument(format, input);
  if (!process.stdout.isTTY) {
    // Piped, the document is handed over: it carries the SIP login, and nothing else secret.
    printDocument(text, [input.password]);
    return 0;
  }

  const secret = Boolean(input.username && input.password);
  out(dim(format === 'cxml' ? PASTE_CXML : PASTE_SWML));
  out('');
  out(secret ? await renderDocument(format, { ...input, password: HIDDEN }) : text);
  if (secret) out(dim('The SIP password is hidden above. Copy the document, or pipe it: create-sip-inbound swml | pbcopy'));

  const copy = ctx.options.copy || (ctx.interactive && !ctx.yes && (await answer(await (await clack()).confirm({ message: 'Copy it to the clipboard?' }))));
  if (copy) {
    const { copyToClipboard } = await import('../services/clipboard.js');
    const tool = await copyToClipboard(text);
    out(tool ? green('✔ Copied to the clipboard.') : 'No clipboard tool found here; pipe it instead: create-sip-inbound swml > swml.json');
  }
  return 0;
}
