// dcmjs ships no types: the little of it the DICOM header reader uses.
declare module 'dcmjs' {
  interface DicomDict {
    meta: Record<string, { vr: string; Value?: unknown[] }>;
    dict: Record<string, { vr: string; Value?: unknown[] }>;
  }
  const dcmjs: {
    data: {
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
