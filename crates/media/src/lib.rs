//! Listing photos: what a farmer uploads from a cheap phone, made safe and
//! small, and stored by content.
//!
//! [`process_photo`] takes the raw bytes of one upload and returns two JPEGs,
//! a large one (longest side at most 1280 px) and a thumbnail (at most
//! 320 px); a [`BlobStore`] keeps them under a [`BlobKey`] derived from their
//! SHA-256, so the same photo is stored once and a key can be served forever
//! with long cache lifetimes. [`FileStore`] keeps blobs under the data
//! directory; [`S3Store`] in any S3-compatible object store, for several
//! servers sharing one set of photos.
//!
//! Why it is built the way it is:
//! - The format is told from the magic bytes only; JPEG, PNG and WebP are
//!   accepted, everything else is refused with a message that says what the
//!   file is (often a HEIC photo from an iPhone) and what is accepted.
//! - Size is checked before anything is parsed, and the declared dimensions
//!   before any pixel buffer is allocated, so a small file that declares a
//!   gigapixel image (a decompression bomb) is refused at once; the decoder
//!   also gets `image`'s own limits as a second line.
//! - The EXIF orientation is applied, then the photo is re-encoded from its
//!   pixels: no EXIF (GPS position of the farm!), XMP, IPTC or ICC data can
//!   survive, because none is ever copied.
//! - Output is always baseline RGB JPEG (alpha flattened onto white), which
//!   every phone browser shows and which is small for photos.
//! - The crate knows no HTTP and no database; [`MediaError::code`] gives the
//!   stable error code the API shows next to the human message.

mod format;
mod photo;
mod s3;
mod store;

pub use format::SourceFormat;
pub use photo::{
    check_photo_count, process_photo, EncodedImage, PhotoLimits, ProcessedPhoto, Turn, Turns,
    CONCURRENT_DECODES, LARGE_JPEG_QUALITY, LARGE_MAX_SIDE, MAX_PHOTOS_PER_LISTING, THUMBNAIL_JPEG_QUALITY,
    THUMBNAIL_MAX_SIDE,
};
pub use s3::{parse_s3_url, S3Store};
pub use store::{Blob, BlobKey, BlobStore, FileStore, StoredBlob};

/// The one error type of this crate.
///
/// Messages are written for the farmer who uploaded the photo (the API shows
/// them as they are); [`MediaError::code`] is the stable machine-readable
/// part. Suggested HTTP mapping: `UnsupportedFormat` 415, `TooLarge` 413,
/// `TooManyPhotos` 400, `Undecodable`, `TooManyPixels` and `TooMuchMemory` 422,
/// `InvalidBlobKey` 404, `StoreUnavailable` 503, everything else 500.
#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    /// The upload is bigger than [`PhotoLimits::max_bytes`].
    #[error("the photo is {}; a photo may be at most {}", megabytes(*size as u64), megabytes(*max as u64))]
    TooLarge {
        /// Size of the upload in bytes.
        size: usize,
        /// Largest accepted size in bytes.
        max: usize,
    },
    /// Not a JPEG, PNG or WebP file, judged by its content.
    #[error("this file is {found}; please upload a photo in {} format", format::ACCEPTED)]
    UnsupportedFormat {
        /// What the file looks like, e.g. "a HEIC photo", "an empty file".
        found: &'static str,
    },
    /// Claims to be an accepted format but cannot be decoded (damaged or cut
    /// off during upload). `reason` is the decoder's words, for logs only.
    #[error("the photo could not be read; it may be damaged or incompletely uploaded")]
    Undecodable {
        /// What the decoder said.
        reason: String,
    },
    /// The image is wider, taller or has more pixels than the limits allow.
    #[error(
        "the photo is {width}×{height} pixels, larger than accepted (at most {max_width}×{max_height} \
         and {} megapixels); please upload a smaller photo",
        max_pixels / 1_000_000
    )]
    TooManyPixels {
        /// Declared width.
        width: u32,
        /// Declared height.
        height: u32,
        /// Largest accepted width.
        max_width: u32,
        /// Largest accepted height.
        max_height: u32,
        /// Largest accepted width × height.
        max_pixels: u64,
    },
    /// Decoding the image would need more memory than
    /// [`PhotoLimits::max_alloc`], e.g. a large 16-bit PNG.
    #[error(
        "the photo ({width}×{height} pixels) needs more than {} of memory to open; \
         please upload a smaller photo or a JPEG",
        megabytes(*max_alloc)
    )]
    TooMuchMemory {
        /// Declared width.
        width: u32,
        /// Declared height.
        height: u32,
        /// The allocation limit in bytes.
        max_alloc: u64,
    },
    /// More photos for one listing than [`MAX_PHOTOS_PER_LISTING`].
    #[error("a listing can have at most {max} photos")]
    TooManyPhotos {
        /// Largest accepted number of photos.
        max: usize,
    },
    /// A string that is not a blob key (e.g. from a URL path).
    #[error("`{key}` is not a photo key")]
    InvalidBlobKey {
        /// The refused string (possibly hostile: log it, don't use it).
        key: String,
    },
    /// A blob was put with a content type the store does not keep: a caller bug.
    #[error("the store does not keep content of type `{content_type}`")]
    UnsupportedContentType {
        /// The refused content type.
        content_type: String,
    },
    /// Resizing or encoding the output failed: a bug, not the uploader's fault.
    #[error("the photo could not be converted")]
    Conversion {
        /// What the resizer or encoder said.
        reason: String,
    },
    /// Reading or writing the store failed.
    #[error("photo storage failed: {0}")]
    Io(#[from] std::io::Error),
    /// The object store did not answer, or refused (down, unreachable,
    /// wrong credentials): worth trying again later.
    #[error("the photo store is unavailable: {reason}")]
    StoreUnavailable {
        /// What the store or the connection said, for logs.
        reason: String,
    },
}

impl MediaError {
    /// Stable snake_case code for API error bodies.
    pub fn code(&self) -> &'static str {
        match self {
            MediaError::TooLarge { .. } => "photo_too_large",
            MediaError::UnsupportedFormat { .. } => "unsupported_media_type",
            MediaError::Undecodable { .. } => "undecodable_photo",
            MediaError::TooManyPixels { .. } => "photo_dimensions_too_large",
            MediaError::TooMuchMemory { .. } => "photo_needs_too_much_memory",
            MediaError::TooManyPhotos { .. } => "too_many_photos",
            MediaError::InvalidBlobKey { .. } => "invalid_photo_key",
            MediaError::UnsupportedContentType { .. } => "unsupported_content_type",
            MediaError::Conversion { .. } => "photo_conversion_failed",
            MediaError::Io(_) => "photo_storage_failed",
            MediaError::StoreUnavailable { .. } => "photo_store_unavailable",
        }
    }
}

impl From<MediaError> for common::ApiError {
    fn from(e: MediaError) -> Self {
        common::ApiError::from(&e)
    }
}

impl From<&MediaError> for common::ApiError {
    /// The statuses and codes of the API's one error table; the limits a
    /// page needs to explain a refusal go in `params`.
    fn from(e: &MediaError) -> Self {
        use common::{ApiError, ErrorCode};
        let code = match &e {
            MediaError::TooLarge { .. } => ErrorCode::PhotoTooLarge,
            MediaError::UnsupportedFormat { .. } => ErrorCode::UnsupportedMediaType,
            MediaError::Undecodable { .. } => ErrorCode::UndecodablePhoto,
            MediaError::TooManyPixels { .. } => ErrorCode::PhotoDimensionsTooLarge,
            MediaError::TooMuchMemory { .. } => ErrorCode::PhotoNeedsTooMuchMemory,
            MediaError::TooManyPhotos { .. } => ErrorCode::TooManyPhotos,
            MediaError::InvalidBlobKey { .. } => ErrorCode::InvalidPhotoKey,
            MediaError::StoreUnavailable { .. } => {
                // The reason (addresses, bucket names) is for the log only.
                tracing::warn!(error = %e, "photo store unavailable");
                return ApiError::new(
                    ErrorCode::PhotoStoreUnavailable,
                    "the photo store is unavailable; try again in a few minutes",
                );
            }
            MediaError::UnsupportedContentType { .. } | MediaError::Conversion { .. } | MediaError::Io(_) => {
                return ApiError::internal(e.to_string());
            }
        };
        let error = ApiError::new(code, e.to_string());
        match *e {
            MediaError::TooLarge { size, max } => error.param("size", size).param("max", max),
            MediaError::TooManyPixels { max_width, max_height, max_pixels, .. } => error
                .param("max_width", max_width)
                .param("max_height", max_height)
                .param("max_pixels", max_pixels),
            MediaError::TooManyPhotos { max } => error.param("max", max),
            _ => error,
        }
    }
}

/// "12.4 MB" in the units phones show (MiB, called MB), rounded up to a
/// tenth so that a file just over the limit never reads as equal to it.
fn megabytes(bytes: u64) -> String {
    let tenths = bytes.saturating_mul(10).div_ceil(1024 * 1024);
    match (tenths / 10, tenths % 10) {
        (whole, 0) => format!("{whole} MB"),
        (whole, tenth) => format!("{whole}.{tenth} MB"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_read_well() {
        let e = MediaError::TooLarge { size: 12_900_000, max: 10 * 1024 * 1024 };
        assert_eq!(e.to_string(), "the photo is 12.4 MB; a photo may be at most 10 MB");
        let e = MediaError::TooLarge { size: 5 * 1024 * 1024 + 300_000, max: 5 * 1024 * 1024 };
        assert_eq!(e.to_string(), "the photo is 5.3 MB; a photo may be at most 5 MB");
        let e = MediaError::UnsupportedFormat { found: "a HEIC photo" };
        assert_eq!(
            e.to_string(),
            "this file is a HEIC photo; please upload a photo in JPEG, PNG or WebP format"
        );
        assert_eq!(e.code(), "unsupported_media_type");
        let e = MediaError::TooManyPixels {
            width: 30000,
            height: 30000,
            max_width: 12000,
            max_height: 12000,
            max_pixels: 50_000_000,
        };
        assert_eq!(
            e.to_string(),
            "the photo is 30000×30000 pixels, larger than accepted (at most 12000×12000 and 50 megapixels); \
             please upload a smaller photo"
        );
    }
}
