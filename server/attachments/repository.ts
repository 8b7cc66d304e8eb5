/** Storage port for attachment rows (the blobs themselves live in BlobStore). SQL lives in server/store/sqlite/. */

export interface AttachmentRow {
  id: string;
  channelId: string;
  size: number;
  uploadedBy: string;
}

export interface AttachmentsRepository {
  byId(id: string): Promise<AttachmentRow | undefined>;
  /** True when the row is new (the same id already stored is left alone). */
  insert(id: string, channelId: string, size: number, uploadedBy: string, createdAt: number): Promise<boolean>;
  delete(id: string): Promise<void>;
  /** True when some message links the attachment. */
  referenced(id: string): Promise<boolean>;
  usedByOfficer(officerId: string): Promise<number>;
  usedByChannel(channelId: string): Promise<number>;
  /** A current member of a channel holding a message that references the blob, inside their span. */
  memberCanSee(officerId: string, attachmentId: string): Promise<boolean>;
}
