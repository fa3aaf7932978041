import { Alert, Button, Grid, Loader, Paper, Stack, Text, TextInput, Title } from '@mantine/core';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useMemo, useState } from 'react';
import { api, must } from '../api/client';
import { useNames } from '../api/people';
import { Composer } from '../chat/Composer';
import { ConversationList } from '../chat/ConversationList';
import { MessageList } from '../chat/MessageList';
import { conversationLabel, threadOf } from '../chat/rules';
import { PersonPicker } from '../components/PersonPicker';
import { downloadFile } from '../download';
import { parseFrame } from '../live/routing';
import { useEventStream } from '../live/useEventStream';
import { useSession } from '../session';
import { useFiles } from './Files';

/**
 * Opens a conversation with someone picked by name. The API's list is the CONTRACT's: a patient
 * sees only the clinicians who have them in care; a clinician their patients in care and colleagues.
 */
export function NewConversation({ onOpened, patient }: { onOpened: (id: string) => void; patient: boolean }) {
  const [who, setWho] = useState<string | null>(null);
  const [subject, setSubject] = useState('');
  const open = useMutation({
    mutationFn: () =>
      must(
        api.POST('/v1/conversations', {
          body: { participantIds: who ? [who] : [], ...(subject.trim() ? { subject: subject.trim() } : {}) },
        }),
      ),
    onSuccess: (c) => {
      setWho(null);
      setSubject('');
      onOpened(c.id);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    open.mutate();
  };
  return (
    <Paper withBorder p="sm">
      <form onSubmit={submit} aria-label="Start a conversation">
        <Stack gap="xs">
          <Title order={3} size="h5">
            Start a conversation
          </Title>
          <PersonPicker
            label={patient ? 'Clinician' : 'Patient or colleague'}
            description={patient ? 'A clinician who has you in care' : 'A patient in your care or a colleague'}
            filter={patient ? { inCare: true } : {}}
            {...(patient ? {} : { groups: { inCare: 'Patients in your care', others: 'Colleagues' } })}
            empty={patient ? 'No clinician has you in care yet' : 'Nobody to message yet'}
            required
            value={who}
            onChange={setWho}
          />
          <TextInput
            label="Subject (optional)"
            maxLength={200}
            value={subject}
            onChange={(e) => setSubject(e.currentTarget.value)}
          />
          {open.isError && (
            <Alert color="red" role="alert">
              {open.error.message}
            </Alert>
          )}
          <Button type="submit" loading={open.isPending} disabled={!who}>
            Start
          </Button>
        </Stack>
      </form>
    </Paper>
  );
}

function Thread({ id, meId, unread }: { id: string; meId: string; unread: number }) {
  const qc = useQueryClient();
  const files = useFiles();
  const messages = useInfiniteQuery({
    queryKey: ['messages', id],
    queryFn: ({ pageParam }) =>
      must(
        api.GET('/v1/conversations/{id}/messages', {
          params: { path: { id }, query: { limit: 30, ...(pageParam ? { cursor: pageParam } : {}) } },
        }),
      ),
    initialPageParam: '' as string,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const thread = useMemo(() => threadOf(messages.data?.pages ?? []), [messages.data]);
  const newest = thread[thread.length - 1]?.id;
  // Reading the thread marks it read up to the newest message (read receipts, unread count).
  useEffect(() => {
    if (!newest || unread === 0) return;
    void must(api.POST('/v1/conversations/{id}/read', { params: { path: { id } }, body: { upTo: newest } })).then(
      () => qc.invalidateQueries({ queryKey: ['conversations'] }),
      () => undefined,
    );
  }, [id, newest, unread, qc]);
  const names = new Map((files.data?.items ?? []).map((f) => [f.id, f.name]));
  const attachable = (files.data?.items ?? []).filter((f) => f.status === 'available');
  const send = async (text: string, attachmentFileIds: string[]) => {
    await must(
      api.POST('/v1/conversations/{id}/messages', {
        params: { path: { id } },
        body: { text, ...(attachmentFileIds.length ? { attachmentFileIds } : {}) },
      }),
    );
    await qc.invalidateQueries({ queryKey: ['messages', id] });
    void qc.invalidateQueries({ queryKey: ['conversations'] });
  };
  if (messages.isPending) return <Loader aria-label="Loading messages" />;
  if (messages.isError)
    return (
      <Alert color="red" role="alert">
        Could not load the messages.
      </Alert>
    );
  return (
    <Stack>
      <MessageList
        messages={thread}
        meId={meId}
        fileName={(fid) => names.get(fid)}
        onOpenFile={(fid, name) => void downloadFile(fid, name)}
        hasOlder={messages.hasNextPage}
        onOlder={() => void messages.fetchNextPage()}
        loadingOlder={messages.isFetchingNextPage}
      />
      <Composer files={attachable} onSend={send} />
    </Stack>
  );
}

/**
 * Secure messaging (services/chat through the gateway): conversations with unread counts, the
 * selected thread with paging, send with an attachment, and live arrival over the chat stream.
 * The selected conversation lives in the page's state, never in the URL.
 */
export function ChatPage() {
  const { me } = useSession();
  const qc = useQueryClient();
  const nameOf = useNames();
  const [selected, setSelected] = useState<string | null>(null);
  const conversations = useQuery({
    queryKey: ['conversations'],
    queryFn: () => must(api.GET('/v1/conversations', { params: { query: { limit: 100 } } })),
  });
  const handlers = useMemo(() => {
    const refresh = (data: string) => {
      const f = parseFrame(data);
      if (typeof f?.conversationId === 'string')
        void qc.invalidateQueries({ queryKey: ['messages', f.conversationId] });
      void qc.invalidateQueries({ queryKey: ['conversations'] });
      // An attachment became readable through a share: the file list knows its name now.
      if (Array.isArray(f?.attachmentFileIds) && f.attachmentFileIds.length)
        void qc.invalidateQueries({ queryKey: ['files'] });
    };
    return { message: refresh, message_edited: refresh, message_deleted: refresh, read: refresh };
  }, [qc]);
  const live = useEventStream('/v1/conversations/stream', handlers);
  const current = conversations.data?.items.find((c) => c.id === selected);
  if (!me) return <Loader />;
  return (
    <Stack>
      <Title order={2}>Messages</Title>
      {live !== 'open' && (
        <Text size="sm" role="status">
          Connecting for live messages…
        </Text>
      )}
      <Grid>
        <Grid.Col span={{ base: 12, md: 4 }}>
          <Stack>
            {conversations.isPending ? (
              <Loader aria-label="Loading conversations" />
            ) : conversations.isError ? (
              <Alert color="red" role="alert">
                Could not load your conversations.
              </Alert>
            ) : (
              <ConversationList
                items={conversations.data.items}
                meId={me.id}
                nameOf={nameOf}
                selected={selected}
                onSelect={setSelected}
              />
            )}
            <NewConversation
              patient={me.role === 'patient'}
              onOpened={(id) => {
                setSelected(id);
                void qc.invalidateQueries({ queryKey: ['conversations'] });
              }}
            />
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 8 }}>
          {current ? (
            <Stack>
              <Title order={3} size="h4" style={{ wordBreak: 'break-all' }}>
                {conversationLabel(current, me.id, nameOf)}
              </Title>
              <Thread id={current.id} meId={me.id} unread={current.unreadCount} />
            </Stack>
          ) : (
            <Text>Choose a conversation, or start one.</Text>
          )}
        </Grid.Col>
      </Grid>
    </Stack>
  );
}
