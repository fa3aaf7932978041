// dcmjs ships no type declarations: the part of it the de-identifier (Part 10 read and write of the
// denaturalized dataset, "GGGGEEEE" → {vr, Value}) and the DICOM header reader use.
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
        readFile(
          buffer: ArrayBuffer,
          options?: { untilTag?: string; includeUntilTagValue?: boolean; ignoreErrors?: boolean },
        ): DicomDict;
      };
    };
    log: { setLevel(level: string): void };
  };
  export default dcmjs;
}
