import type { paths } from './schema';

type Json<T> = T extends { content: { 'application/json': infer J } } ? J : never;

/** A file record as GET /v1/files lists it (generated from the gateway's OpenAPI document). */
export type FileItem = Json<paths['/v1/files']['get']['responses'][200]>['items'][number];
export type UserItem = Json<paths['/v1/users']['get']['responses'][200]>['items'][number];
export type AuditPage = Json<paths['/v1/audit/events']['get']['responses'][200]>;
export type AuditItem = AuditPage['items'][number];
export type AuditQuery = NonNullable<paths['/v1/audit/events']['get']['parameters']['query']>;
export type VerifyResult = Json<paths['/v1/audit/verify']['get']['responses'][200]>;
export type NewUser = NonNullable<paths['/v1/users']['post']['requestBody']>['content']['application/json'];
export type Appointment = Json<paths['/v1/appointments']['get']['responses'][200]>['items'][number];
export type Slot = Json<paths['/v1/clinicians/{id}/availability']['get']['responses'][200]>['slots'][number];
export type Notification = Json<paths['/v1/notifications']['get']['responses'][200]>['items'][number];
export type Conversation = Json<paths['/v1/conversations']['get']['responses'][200]>['items'][number];
export type Message = Json<paths['/v1/conversations/{id}/messages']['get']['responses'][200]>['items'][number];
export type EmergencyGrant = Json<paths['/v1/emergency-access']['get']['responses'][200]>['items'][number];
export type ServiceHealthItem = Json<paths['/v1/admin/health']['get']['responses'][200]>['items'][number];
export type DeadLetterQueue = Json<paths['/v1/admin/dead-letters']['get']['responses'][200]>['items'][number];
export type RedriveStarted = Json<paths['/v1/admin/dead-letters/{service}/redrive']['post']['responses'][202]>;
export type Person = Json<paths['/v1/people']['get']['responses'][200]>['items'][number];
export type PeopleFilter = NonNullable<paths['/v1/people']['get']['parameters']['query']>;
