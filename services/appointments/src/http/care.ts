import type { BaseApp } from '@medvault/common/http';
import type { Routed } from '../deps.js';
import type { CareAssignment } from '../domain/ports.js';
import { contextOf } from './context.js';
import { AssignmentList, AssignmentView, ClinicianIdParams, NoContent, PairParams } from './schemas.js';

type Wired = Routed;

const view = (a: CareAssignment) => ({
  clinicianId: a.clinicianId,
  patientId: a.patientId,
  assignedBy: a.assignedBy,
  assignedAt: a.assignedAt.toISOString(),
});

/** Admin care assignments: the one way to put a patient in a clinician's care without an appointment. */
export function careRoutes(app: BaseApp, w: Wired) {
  const auth = { onRequest: app.authenticate };

  app.put(
    '/v1/clinicians/:clinicianId/patients/:patientId',
    { ...auth, schema: { params: PairParams, response: { 200: AssignmentView } } },
    async (req) => {
      const a = await w.care.assign(contextOf(req), req.params);
      req.log.info({ clinicianId: a.clinicianId }, 'care assigned');
      return view(a);
    },
  );

  app.delete(
    '/v1/clinicians/:clinicianId/patients/:patientId',
    { ...auth, schema: { params: PairParams, response: { 204: NoContent } } },
    async (req, reply) => {
      await w.care.unassign(contextOf(req), req.params);
      req.log.info({ clinicianId: req.params.clinicianId }, 'care assignment removed');
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/v1/clinicians/:clinicianId/patients',
    { ...auth, schema: { params: ClinicianIdParams, response: { 200: AssignmentList } } },
    async (req) => ({ items: (await w.care.list(contextOf(req), req.params.clinicianId)).map(view) }),
  );
}
