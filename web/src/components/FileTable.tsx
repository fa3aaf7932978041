import { Button, Group, Table, Text } from '@mantine/core';
import type { FileItem } from '../api/types';
import { previewOf } from '../files-rules';
import { StatusBadge } from './StatusBadge';

export const formatSize = (n: number) =>
  n < 1024 ? `${n} B` : n < 1024 ** 2 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1024 ** 2).toFixed(1)} MiB`;

interface Props {
  files: FileItem[];
  caption: string;
  showPatient?: boolean;
  onDownload: (f: FileItem) => void;
  onShare?: (f: FileItem) => void;
  onPreview?: (f: FileItem) => void;
  onDelete?: (f: FileItem) => void;
}

/**
 * Files with their status. Names are data from users: rendered as text by React (never as HTML),
 * so a stored `<script>` name is shown, not run. Content is offered only while `available`.
 */
export function FileTable({ files, caption, showPatient = false, onDownload, onShare, onPreview, onDelete }: Props) {
  return (
    <Table.ScrollContainer minWidth={480}>
      <Table striped highlightOnHover aria-label={caption}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Name</Table.Th>
            {showPatient && <Table.Th scope="col">Patient</Table.Th>}
            <Table.Th scope="col">Size</Table.Th>
            <Table.Th scope="col">Status</Table.Th>
            <Table.Th scope="col">Actions</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {files.map((f) => (
            <Table.Tr key={f.id} data-file-id={f.id}>
              <Table.Td>
                <Text size="sm" style={{ wordBreak: 'break-all' }}>
                  {f.name}
                </Text>
              </Table.Td>
              {showPatient && <Table.Td>{f.patientId ?? f.ownerId}</Table.Td>}
              <Table.Td>{formatSize(f.size)}</Table.Td>
              <Table.Td>
                <StatusBadge status={f.status} />
              </Table.Td>
              <Table.Td>
                <Group gap="xs" wrap="nowrap">
                  {f.status === 'available' && (
                    <Button size="xs" variant="filled" onClick={() => onDownload(f)} aria-label={`Download ${f.name}`}>
                      Download
                    </Button>
                  )}
                  {onPreview && previewOf(f) && (
                    <Button size="xs" variant="outline" onClick={() => onPreview(f)} aria-label={`Preview ${f.name}`}>
                      Preview
                    </Button>
                  )}
                  {onShare && f.status === 'available' && (
                    <Button size="xs" variant="outline" onClick={() => onShare(f)} aria-label={`Share ${f.name}`}>
                      Share
                    </Button>
                  )}
                  {onDelete && (f.status === 'available' || f.status === 'scan_failed') && (
                    <Button
                      size="xs"
                      variant="subtle"
                      color="red"
                      onClick={() => onDelete(f)}
                      aria-label={`Delete ${f.name}`}
                    >
                      Delete
                    </Button>
                  )}
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
