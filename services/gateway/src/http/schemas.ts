import { idPattern } from '@medvault/common/ids';
import { Type } from '@sinclair/typebox';

/** Request/response schemas of the gateway's own routes (also the OpenAPI source). */
export const RoleSchema = Type.Union(
  [Type.Literal('admin'), Type.Literal('clinician'), Type.Literal('patient'), Type.Literal('compliance')],
  { description: 'admin | clinician | patient | compliance' },
);

export const Email = Type.String({ format: 'email', minLength: 3, maxLength: 254 });
/** Long passphrases welcome; the cap bounds scrypt input and request size. */
export const Password = Type.String({ minLength: 12, maxLength: 256 });
const LoginPassword = Type.String({ minLength: 1, maxLength: 256 });
export const UserId = Type.String({ pattern: idPattern('user') });

export const LoginBody = Type.Object({ email: Email, password: LoginPassword }, { additionalProperties: false });
export const RefreshBody = Type.Object(
  { refreshToken: Type.String({ minLength: 10, maxLength: 200 }) },
  { additionalProperties: false },
);
export const TokenPair = Type.Object({
  accessToken: Type.String(),
  refreshToken: Type.String(),
  tokenType: Type.Literal('Bearer'),
  expiresIn: Type.Integer({ description: 'Access token lifetime in seconds' }),
});

export const User = Type.Object({
  id: Type.String(),
  email: Type.String(),
  name: Type.String(),
  role: RoleSchema,
  active: Type.Boolean(),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});
export const Me = Type.Object({
  id: Type.String(),
  email: Type.String(),
  name: Type.String(),
  role: RoleSchema,
  active: Type.Boolean(),
});

export const CreateUserBody = Type.Object(
  {
    email: Email,
    password: Password,
    role: RoleSchema,
    name: Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' }),
  },
  { additionalProperties: false },
);
export const UpdateUserBody = Type.Object(
  {
    role: Type.Optional(RoleSchema),
    active: Type.Optional(Type.Boolean()),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' })),
  },
  { additionalProperties: false, minProperties: 1 },
);
export const UserParams = Type.Object({ id: UserId }, { additionalProperties: false });
export const ListUsersQuery = Type.Object(
  {
    role: Type.Optional(RoleSchema),
    active: Type.Optional(Type.Boolean()),
    cursor: Type.Optional(UserId),
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 50 }),
  },
  { additionalProperties: false },
);
export const UserPage = Type.Object({ items: Type.Array(User), nextCursor: Type.Union([Type.String(), Type.Null()]) });

export const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    code: Type.String(),
    detail: Type.Optional(Type.String()),
    requestId: Type.String(),
    errors: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String() }))),
  },
  { $id: 'Problem', additionalProperties: true, description: 'RFC 9457 problem details (application/problem+json)' },
);

const PersonRoleSchema = Type.Union([Type.Literal('clinician'), Type.Literal('patient')], {
  description: 'clinician | patient',
});
export const PeopleQuery = Type.Object(
  {
    role: Type.Optional(PersonRoleSchema),
    inCare: Type.Optional(
      Type.Boolean({
        description: 'true: only people a care relationship links to the caller; false: only the others',
      }),
    ),
  },
  { additionalProperties: false },
);
export const Person = Type.Object(
  {
    id: Type.String(),
    name: Type.String({ description: 'Display name (the only personal detail the picker shows)' }),
    role: PersonRoleSchema,
    inCare: Type.Boolean({ description: 'A care relationship links this person and the caller' }),
  },
  { additionalProperties: false },
);
export const PeopleList = Type.Object({ items: Type.Array(Person) });
