import { Alert, Stack, Title } from '@mantine/core';

/** A deep link to a page the role cannot use says so (and shows nothing of that page). */
export function Forbidden({ notFound = false }: { notFound?: boolean }) {
  return (
    <Stack>
      <Title order={2}>{notFound ? 'Page not found' : 'Not allowed'}</Title>
      <Alert color="red" role="alert" title={notFound ? 'Page not found' : 'You do not have access to this page'}>
        {notFound
          ? 'There is no such page in the console.'
          : 'Your role cannot use this page. Use the navigation to reach the pages available to you.'}
      </Alert>
    </Stack>
  );
}
