// The STT / TTS / LLM providers the wizard offers, the variable that holds each one's API key,
// and the model or voice suggested first. Any other provider can still be typed in by name.

export interface Provider {
  /** The variable holding its API key; none for `local`, which runs offline. */
  keyVar?: string;
  /** Suggested models (STT, LLM) or voices (TTS); the first is the default. */
  suggest: readonly string[];
}

export const STT: Record<string, Provider> = {
  deepgram: { keyVar: 'DEEPGRAM_API_KEY', suggest: ['nova-2', 'nova-3'] },
  assemblyai: { keyVar: 'ASSEMBLYAI_API_KEY', suggest: ['universal-streaming'] },
  openai: { keyVar: 'OPENAI_API_KEY', suggest: ['gpt-4o-transcribe', 'whisper-1'] },
  local: { suggest: ['pocketsphinx'] }, // the starter agent's offline speech recognition
};

export const TTS: Record<string, Provider> = {
  elevenlabs: { keyVar: 'ELEVENLABS_API_KEY', suggest: ['Rachel', 'Adam'] },
  cartesia: { keyVar: 'CARTESIA_API_KEY', suggest: ['sonic-english'] },
  openai: { keyVar: 'OPENAI_API_KEY', suggest: ['shimmer', 'alloy'] },
  deepgram: { keyVar: 'DEEPGRAM_API_KEY', suggest: ['aura-asteria-en'] },
  local: { suggest: ['espeak-ng'] }, // the starter agent's offline speech (espeak-ng)
};

export const LLM: Record<string, Provider> = {
  openai: { keyVar: 'OPENAI_API_KEY', suggest: ['gpt-5', 'gpt-4o-mini'] },
  anthropic: { keyVar: 'ANTHROPIC_API_KEY', suggest: ['claude-sonnet-4-5'] },
  groq: { keyVar: 'GROQ_API_KEY', suggest: ['llama-3.3-70b-versatile'] },
  google: { keyVar: 'GOOGLE_API_KEY', suggest: ['gemini-2.5-flash'] },
  local: { suggest: ['scripted'] }, // the starter agent's scripted responder: no key, no network
};

/** The key variables the chosen providers need, each once. */
export function providerKeyVars(choice: { stt?: string; tts?: string; llm?: string }): string[] {
  const vars = [STT[choice.stt ?? ''], TTS[choice.tts ?? ''], LLM[choice.llm ?? '']].map((p) => p?.keyVar);
  return [...new Set(vars.filter((v): v is string => Boolean(v)))];
}
