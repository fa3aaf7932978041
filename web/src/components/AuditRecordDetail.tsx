import { Code, Drawer, Table, Text } from '@mantine/core';
import type { AuditItem } from '../api/types';

/** The rows of a record's detail: who (user, role, from where), what, when, outcome, request id, chain. */
export function detailRows(r: AuditItem): [string, string][] {
  const rows: [string, string | undefined][] = [
    ['Sequence', String(r.seq)],
    ['Event', `${r.type} v${r.version} (${r.eventId})`],
    ['Action', r.action],
    ['Outcome', r.outcome],
    ['Occurred', r.occurredAt],
    ['Recorded', r.recordedAt],
    ['Source service', r.source],
    ['Actor', r.actor ? `${r.actor.userId} (${r.actor.role})` : undefined],
    ['From IP', r.actor?.ip],
    ['User agent', r.actor?.userAgent],
    ['Resource', r.resource ? `${r.resource.type}${r.resource.id ? ` ${r.resource.id}` : ''}` : undefined],
    ['Patient', r.patientId],
    ['Request ID', r.requestId],
    ['Previous hash', r.prevHash],
    ['Hash', r.hash],
  ];
  return rows.filter((x): x is [string, string] => x[1] !== undefined && x[1] !== '');
}

/**
 * One audit record in full. Records carry metadata only (the audit service never stores file
 * content or message text); `data` is shown as the JSON it is, rendered as text.
 */
export function AuditRecordDetail({ record, onClose }: { record: AuditItem | null; onClose: () => void }) {
  return (
    <Drawer
      opened={record !== null}
      onClose={onClose}
      title="Audit record"
      position="right"
      size="lg"
      closeButtonProps={{ 'aria-label': 'Close the record' }}
    >
      {record && (
        <>
          <Table aria-label="Audit record fields" layout="fixed">
            <Table.Tbody>
              {detailRows(record).map(([k, v]) => (
                <Table.Tr key={k}>
                  <Table.Th scope="row" w="35%">
                    {k}
                  </Table.Th>
                  <Table.Td style={{ wordBreak: 'break-all' }}>{v}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          <Text fw={600} mt="md" size="sm">
            Event data
          </Text>
          <Code block style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>
            {JSON.stringify(record.data, null, 2)}
          </Code>
        </>
      )}
    </Drawer>
  );
}
