import type { ChannelsService } from '../channels/service.ts';
import type { DesksService } from '../desks/service.ts';
import type { DirectoryService } from '../directory/service.ts';
import { NotFoundError } from '../errors.ts';

/**
 * How a channel belongs to a desk: `desk_channel`, the desk's own E2E channel (`desks.channel_id`, set
 * by its intake key statements); `contact_entry`, opened with "Reach them" from a directory entry that
 * routes to the desk (linked desk, no linked officer: the desk's officers answer it).
 */
export type ChannelDeskLink = 'desk_channel' | 'contact_entry';

export interface ChannelDesk {
  deskId: string;
  link: ChannelDeskLink;
}

export interface ChannelDeskDeps {
  desks: Pick<DesksService, 'deskOfChannel'>;
  channels: Pick<ChannelsService, 'contactEntryOf'>;
  directory: Pick<DirectoryService, 'liveRow'>;
}

type Resolver = (channelId: string) => Promise<ChannelDesk | null>;

/** Which desk a channel belongs to, if any (docs/DESKS.md "Pages for messages"): the first resolver that knows. */
export class ChannelDeskLookup {
  private readonly resolvers: Resolver[];

  constructor(deps: ChannelDeskDeps) {
    this.resolvers = [(id) => ownChannelDesk(deps, id), (id) => contactEntryDesk(deps, id)];
  }

  async deskOf(channelId: string): Promise<ChannelDesk | null> {
    for (const resolve of this.resolvers) {
      const found = await resolve(channelId);
      if (found) return found;
    }
    return null;
  }
}

async function ownChannelDesk(deps: ChannelDeskDeps, channelId: string): Promise<ChannelDesk | null> {
  const deskId = await deps.desks.deskOfChannel(channelId);
  return deskId === null ? null : { deskId, link: 'desk_channel' };
}

/** A channel opened from a live directory entry that routes to its desk (as server/directory/contact.ts routes it). */
async function contactEntryDesk(deps: ChannelDeskDeps, channelId: string): Promise<ChannelDesk | null> {
  const entryId = await deps.channels.contactEntryOf(channelId);
  if (entryId === null) return null;
  try {
    const entry = await deps.directory.liveRow(entryId);
    return entry.deskId !== null && entry.officerId === null ? { deskId: entry.deskId, link: 'contact_entry' } : null;
  } catch (err) {
    // A retired entry no longer routes to anyone.
    if (err instanceof NotFoundError) return null;
    throw err;
  }
}
