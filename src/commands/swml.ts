// `swml`: the SignalWire document. Piped, stdout is the document alone; on a terminal it also says where
// to paste it and offers the clipboard, and keeps the SIP password off the screen.
import { requiredFor, requireValues } from '../config.js';
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import { FORMATS, renderDocument, type Format } from '../render/document.js';
import { PASTE_CXML, PASTE_SWML } from '../carriers/signalwire/dashboard.js';
import { answer, clack, dim, green, out, print, printDocument } from '../ui.js';
import { tool } from '../invocation.js';
import { REDACTED } from '../redact.js';

export async function run(ctx: Context): Promise<number> {
  const format = String(ctx.options.format ?? 'json') as Format;
  if (!FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')} (got "${format}")`);
  requireValues(ctx.values, requiredFor('swml'));
  const input = {
    sipDomain: ctx.values.LIVEKIT_SIP_DOMAIN!,
    username: ctx.values.LIVEKIT_SIP_USERNAME,
    password: ctx.values.LIVEKIT_SIP_PASSWORD,
  };
  const text = await renderDocument(format, input);
  if (ctx.json) {
    // A JSON document: the format, the text as SignalWire takes it, and for SWML the object itself.
    // On a terminal the SIP password stays off the screen unless asked for; piped, it is handed over.
    const hide = Boolean(process.stdout.isTTY && input.password && !ctx.options['show-password']);
    const shownInput = hide ? { ...input, password: REDACTED } : input;
    const doc = hide ? await renderDocument(format, shownInput) : text;
    const swml = format === 'cxml' ? undefined : (JSON.parse(await renderDocument('json', shownInput)) as unknown);
    process.stdout.write(`${JSON.stringify({ format, document: doc, ...(swml ? { swml } : {}), ...(hide ? { password: 'hidden on a terminal: pipe it, or add --show-password' } : {}) }, null, 2)}\n`);
    return 0;
  }
  if (!process.stdout.isTTY) {
    // Piped, the document is handed over: it carries the SIP login, and nothing else secret.
    printDocument(text, [input.password]);
    return 0;
  }

  const secret = Boolean(input.username && input.password);
  out(dim(format === 'cxml' ? PASTE_CXML : PASTE_SWML));
  // A document with the password masked fails digest auth when pasted: show the real one, or none.
  const show = !secret || (ctx.interactive && !ctx.yes && (await answer(await (await clack()).confirm({ message: 'Show it with the password, to copy?', initialValue: false }))));
  if (show) {
    out('');
    // The document exactly as SignalWire takes it: never wrapped.
    print(text.endsWith('\n') ? text : `${text}\n`);
  } else {
    const ext = format === 'cxml' ? 'xml' : format;
    out(`The document holds the SIP password, so it is not shown. Pipe it: ${tool()} swml${format === 'json' ? '' : ` --format ${format}`} > swml.${ext}`);
  }

  // Offer the clipboard only where a clipboard tool exists; --copy without one says so.
  const { clipboardTools, copyToClipboard } = await import('../services/clipboard.js');
  const canCopy = clipboardTools().length > 0;
  const copy = ctx.options.copy || (canCopy && ctx.interactive && !ctx.yes && (await answer(await (await clack()).confirm({ message: 'Copy it to the clipboard?' }))));
  if (copy) {
    const copied = canCopy ? await copyToClipboard(text) : undefined;
    out(copied ? green('✔ Copied to the clipboard.') : `No clipboard tool found here; pipe it instead: ${tool()} swml > swml.json`);
  }
  return 0;
}
