// Secrets are shown only masked: enough to recognise which one it is, never enough to use it.
export function mask(value: string | undefined): string {
  if (!value) return '(empty)';
  if (value.length <= 8) return '••••';
  return `${value.slice(0, 3)}…${value.slice(-2)}`;
}
