// The part of dcmjs (which ships no type declarations) the de-identifier uses: Part 10 read and
// write of the denaturalized dataset ("GGGGEEEE" → {vr, Value}).
declare module 'dcmjs' {
  type Dataset = Record<string, { vr: string; Value?: unknown[]; [k: string]: unknown }>;
  class DicomDict {
    constructor(meta: Dataset);
    meta: Dataset;
    dict: Dataset;
    write(options?: { allowInvalidVRLength?: boolean }): ArrayBuffer;
  }
  const dcmjs: {
    data: {
      DicomDict: typeof DicomDict;
      DicomMessage: {
        readFile(buffer: ArrayBuffer, options?: { ignoreErrors?: boolean; untilTag?: string }): DicomDict;
      };
    };
  };
  export default dcmjs;
}
