// What an upload is, decided from its bytes alone, and what is kept of it: images re-encoded without metadata.
import sharp from "sharp";
import { BadInputError } from "../common/errors";
import { AttachmentKind } from "./attachment.entity";

/** Images larger than this many pixels are refused before being decoded (a small file can decode to gigabytes). */
const MAX_PIXELS = 100_000_000;
const THUMBNAIL_SIDE = 512;

type ImageFormat = "jpeg" | "png" | "webp" | "gif";
const IMAGE_TYPES: Record<string, string> & Record<ImageFormat, string> = { jpeg: "image/jpeg", png: "image/png", webp: "image/webp", gif: "image/gif" };
const PDF_MAGIC = Buffer.from("%PDF-");
export const ACCEPTED = "PNG, JPEG, WebP or GIF images, PDF documents and UTF-8 plain text";

export interface ProcessedFile {
  kind: AttachmentKind;
  type: string;
  bytes: Buffer;
  width: number | null;
  height: number | null;
  thumbnail: Buffer | null;
}

function refuse(why: string): never {
  throw new BadInputError(`${why} Only ${ACCEPTED} can be attached.`, { field: "file" });
}

/** UTF-8 that decodes strictly and holds no NUL: what a text editor would save, not a binary format we do not know. */
function isPlainText(bytes: Buffer): boolean {
  if (bytes.includes(0)) return false;
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** The image format sharp finds in the bytes' header, or null when they are no image it knows. */
async function imageFormatOf(bytes: Buffer): Promise<string | null> {
  try {
    return (await sharp(bytes, { limitInputPixels: MAX_PIXELS }).metadata()).format ?? null;
  } catch {
    return null;
  }
}

/**
 * Re-encodes in the same format: sharp writes no EXIF, XMP or IPTC unless asked, so GPS positions and camera data
 * are gone, and rotate() first turns the pixels the way the EXIF orientation said, since that tag goes too.
 */
async function processImage(bytes: Buffer, format: string): Promise<ProcessedFile> {
  const animated = format === "gif" || format === "webp";
  try {
    const { data, info } = await sharp(bytes, { limitInputPixels: MAX_PIXELS, animated }).rotate().toFormat(format as ImageFormat).toBuffer({ resolveWithObject: true });
    const thumbnail = await sharp(data, { limitInputPixels: MAX_PIXELS })
      .resize(THUMBNAIL_SIDE, THUMBNAIL_SIDE, { fit: "inside", withoutEnlargement: true })
      .webp()
      .toBuffer();
    const height = info.pageHeight ?? info.height;
    return { kind: AttachmentKind.IMAGE, type: IMAGE_TYPES[format], bytes: data, width: info.width, height, thumbnail };
  } catch {
    return refuse("This image could not be read: it is damaged, or larger than 100 megapixels.");
  }
}

/** Decides the type from the bytes (never from a name or header the client sent) and prepares what is stored. */
export async function processUpload(bytes: Buffer): Promise<ProcessedFile> {
  if (bytes.length === 0) refuse("The file is empty.");
  if (bytes.subarray(0, PDF_MAGIC.length).equals(PDF_MAGIC)) {
    return { kind: AttachmentKind.FILE, type: "application/pdf", bytes, width: null, height: null, thumbnail: null };
  }
  const format = await imageFormatOf(bytes);
  if (format && IMAGE_TYPES[format]) return processImage(bytes, format);
  if (format) refuse(`This is a ${format.toUpperCase()} image, which is not accepted.`);
  if (isPlainText(bytes)) return { kind: AttachmentKind.FILE, type: "text/plain; charset=utf-8", bytes, width: null, height: null, thumbnail: null };
  return refuse("This type of file is not accepted.");
}
