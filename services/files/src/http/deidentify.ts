import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { principalOf } from '@medvault/common/auth';
import { idPattern } from '@medvault/common/ids';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { requestDeidentify } from '../app/request-deidentify.js';
import type { Deps } from '../deps.js';
import { metaOf } from './request-meta.js';
import { FileParams } from './schemas.js';

export const DeidentifyAccepted = Type.Object(
  {
    id: Type.String({
      pattern: idPattern('file'),
      description:
        'The new file: its record appears within seconds (404 until then), quarantined, then scanned like any upload',
    }),
  },
  { additionalProperties: false },
);

/** A de-identified copy of a DICOM file (CONTRACT "Imaging", issue 17). */
export async function deidentifyRoutes(root: FastifyInstance, { deps }: { deps: Deps }) {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  app.addHook('preHandler', app.authenticate);

  app.post(
    '/v1/files/:id/deidentify',
    {
      schema: {
        summary: 'Make a de-identified copy of a DICOM file',
        description:
          'DICOM PS3.15 Annex E Basic Application Level Confidentiality Profile (table of the 2021b edition): ' +
          'attributes removed, emptied or replaced per the table, private attributes removed, UIDs replaced by ' +
          '2.25 UIDs consistent across every instance the same requester de-identifies, Patient Identity Removed ' +
          '= YES and the method recorded. The caller must be allowed to read the source, which must be an ' +
          'available DICOM file (409 otherwise; 422 when it is not DICOM). The copy is a new file owned by the ' +
          'caller (not by the source patient: it carries no identity), named deidentified-<id>.dcm; the original ' +
          'is never altered. Event: file.deidentified.',
        params: FileParams,
        response: { 202: DeidentifyAccepted },
      },
    },
    async (req, reply) => {
      const p = principalOf(req);
      const out = await requestDeidentify(deps, p, req.params.id, metaOf(req, p));
      return reply.code(202).send(out);
    },
  );
}
