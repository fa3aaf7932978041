import { idPattern } from '@medvault/common/ids';
import { Type } from '@sinclair/typebox';

export const UserId = Type.String({ pattern: idPattern('user') });
export const AppointmentId = Type.String({ pattern: idPattern('appointment') });
// Parsed by the domain (ISO 8601 with offset) so the error names the field and the expectation.
const Instant = Type.String({ minLength: 1, maxLength: 40 });

export const BookBody = Type.Object(
  {
    clinicianId: UserId,
    patientId: UserId,
    start: Instant,
    end: Instant,
    reason: Type.Optional(Type.String({ maxLength: 1000 })),
  },
  { additionalProperties: false },
);
export const RescheduleBody = Type.Object({ start: Instant, end: Instant }, { additionalProperties: false });
export const IdParams = Type.Object({ id: AppointmentId }, { additionalProperties: false });
export const ClinicianParams = Type.Object({ id: UserId }, { additionalProperties: false });

export const ListQuery = Type.Object(
  {
    from: Type.Optional(Instant),
    to: Type.Optional(Instant),
    clinicianId: Type.Optional(UserId),
    patientId: Type.Optional(UserId),
    status: Type.Optional(Type.Union([Type.Literal('booked'), Type.Literal('cancelled')])),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 50 }),
  },
  { additionalProperties: false },
);

export const AppointmentView = Type.Object({
  id: Type.String(),
  clinicianId: Type.String(),
  patientId: Type.String(),
  start: Type.String(),
  end: Type.String(),
  status: Type.String(),
  confirmed: Type.Boolean(),
  confirmedAt: Type.Optional(Type.String()),
  reason: Type.Optional(Type.String()),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  cancelledAt: Type.Optional(Type.String()),
});
export const AppointmentList = Type.Object({
  items: Type.Array(AppointmentView),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});

export const AvailabilityQuery = Type.Object(
  {
    date: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }),
    tz: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  },
  { additionalProperties: false },
);
export const Availability = Type.Object({
  clinicianId: Type.String(),
  date: Type.String(),
  timeZone: Type.String(),
  slotMinutes: Type.Integer(),
  slots: Type.Array(Type.Object({ start: Type.String(), end: Type.String() })),
});

const HHMM = Type.String({ pattern: '^([01]\\d|2[0-3]):[0-5]\\d$|^24:00$' });
export const ScheduleFields = {
  timeZone: Type.String({ minLength: 1, maxLength: 64 }),
  workStart: HHMM,
  workEnd: HHMM,
  workDays: Type.Array(Type.Integer({ minimum: 0, maximum: 6 }), { minItems: 1, maxItems: 7, uniqueItems: true }),
  minMinutes: Type.Integer({ minimum: 1, maximum: 1440 }),
  maxMinutes: Type.Integer({ minimum: 1, maximum: 1440 }),
  slotMinutes: Type.Integer({ minimum: 5, maximum: 1440 }),
};
export const ScheduleBody = Type.Partial(Type.Object(ScheduleFields), { additionalProperties: false });
export const ScheduleView = Type.Object({ clinicianId: Type.String(), ...ScheduleFields });

export const PairParams = Type.Object({ clinicianId: UserId, patientId: UserId }, { additionalProperties: false });
export const ClinicianIdParams = Type.Object({ clinicianId: UserId }, { additionalProperties: false });
export const AssignmentView = Type.Object({
  clinicianId: Type.String(),
  patientId: Type.String(),
  assignedBy: Type.String(),
  assignedAt: Type.String(),
});
export const AssignmentList = Type.Object({ items: Type.Array(AssignmentView) });

export const NoContent = Type.Null({ description: 'Done; no body' });
