// The content parts a user message may carry besides its text: images, audio and files.

/** How closely the model looks at an image (`image_url.detail`); the server's default is `'auto'`. */
export type ImageDetail = 'auto' | 'low' | 'high';

/** An image given with its `detail`. */
export interface OpenAIImage {
  /** Base64, bytes, or a data: or https: URL, as an item of `images` is. */
  image: string | Uint8Array;
  /** `'low'` reads a 512 px version at a fixed small cost; `'high'` the image in full. */
  detail?: ImageDetail | undefined;
  /** Marks the end of a reusable prompt prefix here (`prompt_cache_breakpoint`; OpenAI's own). */
  cacheBreakpoint?: boolean | undefined;
}

/** An item of a message's `images`: an image, or one with its `detail`. */
export type OpenAIImageInput = string | Uint8Array | OpenAIImage;

/** A recording for a model that hears (`input_audio`), sent as base64. */
export interface OpenAIAudio {
  /** The recording: base64 (not a URL: the API takes audio as data only) or its bytes. */
  data: string | Uint8Array;
  /** Its encoding: the API reads WAV and MP3. */
  format: 'wav' | 'mp3';
  /** Marks the end of a reusable prompt prefix here (`prompt_cache_breakpoint`; OpenAI's own). */
  cacheBreakpoint?: boolean | undefined;
}

/**
 * A file for the model to read (`file`): an uploaded file's id (`/files`), or a file's name and
 * data. Chat Completions reads PDFs (OpenAI's file inputs guide).
 */
export type OpenAIFile = (
  | { fileId: string; filename?: undefined; data?: undefined }
  | {
      fileId?: undefined;
      /** The file's name, as the model sees it. */
      filename: string;
      /**
       * Base64, a data URL (`data:application/pdf;base64,...`) or the bytes; sent as a data URL,
       * its type read from the bytes when not given.
       */
      data: string | Uint8Array;
    }
) & {
  /** Marks the end of a reusable prompt prefix here (`prompt_cache_breakpoint`; OpenAI's own). */
  cacheBreakpoint?: boolean | undefined;
};
