import {
  Alert,
  Button,
  Group,
  NativeSelect,
  PasswordInput,
  Select,
  SimpleGrid,
  Stack,
  Table,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { ApiError, api, must } from '../api/client';
import type { NewUser } from '../api/types';
import { fetchAllUsers, filterUsers } from '../api/users';
import { DataTable } from '../components/DataTable';
import { ToneBadge } from '../components/StatusBadge';
import { useSession } from '../session';

const ROLES = ['patient', 'clinician', 'admin', 'compliance'] as const;
const EMPTY: NewUser = { name: '', email: '', password: '', role: 'patient' };

/** Users (admin): list, create, change role, deactivate / reactivate (never one's own account). */
export function UsersPage() {
  const qc = useQueryClient();
  const { me } = useSession();
  const users = useQuery({
    queryKey: ['users'],
    queryFn: () => fetchAllUsers(),
  });
  const [filter, setFilter] = useState('');
  const [form, setForm] = useState<NewUser>(EMPTY);
  const create = useMutation({
    mutationFn: (u: NewUser) => must(api.POST('/v1/users', { body: u })),
    onSuccess: () => {
      setForm(EMPTY);
      void qc.invalidateQueries({ queryKey: ['users'] });
    },
  });
  // Role and active changes revoke the user's tokens (the API says so): they sign in again.
  const update = useMutation({
    mutationFn: ({ id, ...body }: { id: string; active?: boolean; role?: NewUser['role'] }) =>
      must(api.PATCH('/v1/users/{id}', { params: { path: { id } }, body })),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['users'] }),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate(form);
  };

  return (
    <Stack>
      <Title order={2}>Users</Title>
      <form onSubmit={submit} aria-label="Create a user">
        <Title order={3} size="h4" mb="xs">
          Create a user
        </Title>
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextInput
            label="Name"
            required
            value={form.name}
            onChange={(e) => setForm({ ...form, name: e.currentTarget.value })}
          />
          <TextInput
            label="Email"
            type="email"
            required
            value={form.email}
            onChange={(e) => setForm({ ...form, email: e.currentTarget.value })}
          />
          <PasswordInput
            label="Initial password"
            required
            autoComplete="new-password"
            value={form.password}
            onChange={(e) => setForm({ ...form, password: e.currentTarget.value })}
          />
          <Select
            label="Role"
            data={[...ROLES]}
            allowDeselect={false}
            value={form.role}
            onChange={(v) => v && setForm({ ...form, role: v as NewUser['role'] })}
          />
        </SimpleGrid>
        <Group mt="sm">
          <Button type="submit" loading={create.isPending}>
            Create user
          </Button>
        </Group>
      </form>
      {create.isSuccess && (
        <Alert color="green" role="status">
          User created.
        </Alert>
      )}
      {create.error && (
        <Alert color="red" role="alert">
          {create.error instanceof ApiError ? create.error.message : 'Could not create the user'}
        </Alert>
      )}
      {update.error && (
        <Alert color="red" role="alert">
          {update.error instanceof ApiError ? update.error.message : 'Could not change the user'}
        </Alert>
      )}
      {update.isSuccess && (
        <Alert color="green" role="status">
          User updated.
        </Alert>
      )}
      <TextInput
        label="Filter users"
        description="By name or email; newest first"
        value={filter}
        onChange={(e) => setFilter(e.currentTarget.value)}
        maw={420}
      />
      <DataTable label="Users" minWidth={560} columns={['Name', 'Email', 'Role', 'Status', 'Actions']}>
        {filterUsers(users.data ?? [], filter).map((u) => (
          <Table.Tr key={u.id}>
            <Table.Td>{u.name}</Table.Td>
            <Table.Td>{u.email}</Table.Td>
            <Table.Td>
              <NativeSelect
                size="xs"
                aria-label={`Role of ${u.email}`}
                data={[...ROLES]}
                value={u.role}
                disabled={u.id === me?.id}
                onChange={(e) => update.mutate({ id: u.id, role: e.currentTarget.value as NewUser['role'] })}
              />
            </Table.Td>
            <Table.Td>
              <ToneBadge tone={u.active ? 'good' : 'neutral'}>{u.active ? 'Active' : 'Deactivated'}</ToneBadge>
            </Table.Td>
            <Table.Td>
              <Button
                size="xs"
                variant="outline"
                aria-label={`${u.active ? 'Deactivate' : 'Reactivate'} ${u.email}`}
                disabled={u.id === me?.id}
                onClick={() => update.mutate({ id: u.id, active: !u.active })}
              >
                {u.active ? 'Deactivate' : 'Reactivate'}
              </Button>
            </Table.Td>
          </Table.Tr>
        ))}
      </DataTable>
    </Stack>
  );
}
