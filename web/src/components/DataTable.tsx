import { Table } from '@mantine/core';
import type { ReactNode } from 'react';

/**
 * The console's data table: striped, named for screen readers, column headers scoped, and
 * scrolling sideways inside its own container on narrow screens (360 px phones). `focusable`
 * makes that container a named tab stop, for tables whose rows may hold no control to reach
 * the hidden columns with (axe's scrollable-region-focusable).
 */
export function DataTable({
  label,
  columns,
  minWidth,
  focusable = false,
  children,
}: {
  label: string;
  columns: readonly string[];
  minWidth: number;
  focusable?: boolean;
  children: ReactNode;
}) {
  const scroll = focusable ? { type: 'native' as const, tabIndex: 0, 'aria-label': `${label}, scrollable` } : {};
  return (
    <Table.ScrollContainer minWidth={minWidth} {...scroll}>
      <Table striped aria-label={label}>
        <Table.Thead>
          <Table.Tr>
            {columns.map((c) => (
              <Table.Th key={c} scope="col">
                {c}
              </Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>{children}</Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
