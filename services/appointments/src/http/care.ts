import type { BaseApp } from '@medvault/common/http';
import { assignCare } from '../app/assign-care.js';
import { listAssignments } from '../app/list-assignments.js';
import { unassignCare } from '../app/unassign-care.js';
import type { AppointmentsPorts, CareAssignment } from '../domain/ports.js';
import { contextOf } from './context.js';
import { AssignmentList, AssignmentView, ClinicianIdParams, NoContent, PairParams } from './schemas.js';

const view = (a: CareAssignment) => ({
  clinicianId: a.clinicianId,
  patientId: a.patientId,
  assignedBy: a.assignedBy,
  assignedAt: a.assignedAt.toISOString(),
});

/** Admin care assignments: the one way to put a patient in a clinician's care without an appointment. */
export function careRoutes(app: BaseApp, ports: AppointmentsPorts) {
  const auth = { onRequest: app.authenticate };

  app.put(
    '/v1/clinicians/:clinicianId/patients/:patientId',
    { ...auth, schema: { params: PairParams, response: { 200: AssignmentView } } },
    async (req) => {
      const a = await assignCare(ports, contextOf(req), req.params);
      req.log.info({ clinicianId: a.clinicianId }, 'care assigned');
      return view(a);
    },
  );

  app.delete(
    '/v1/clinicians/:clinicianId/patients/:patientId',
    { ...auth, schema: { params: PairParams, response: { 204: NoContent } } },
    async (req, reply) => {
      await unassignCare(ports, contextOf(req), req.params);
      req.log.info({ clinicianId: req.params.clinicianId }, 'care assignment removed');
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/v1/clinicians/:clinicianId/patients',
    { ...auth, schema: { params: ClinicianIdParams, response: { 200: AssignmentList } } },
    async (req) => ({ items: (await listAssignments(ports, contextOf(req), req.params.clinicianId)).map(view) }),
  );
}
