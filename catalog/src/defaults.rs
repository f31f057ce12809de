//! What OSS does when nothing says otherwise: written here once, used by the catalog, the
//! validator, the simulator and the docs.

/// The status OSS answers the uploader with when the callback fails.
pub const HTTP_STATUS: u16 = 203;

/// The error code of a failed callback, in the XML error body.
pub const CODE: &str = "CallbackFailed";

/// How long OSS waits for the callback server's complete answer, in milliseconds (fixed).
pub const TIMEOUT_MS: u64 = 5000;

/// The largest answer body OSS accepts from the callback server, in bytes (1 MB on the 203
/// page, taken as 1 MiB; the `callbackUrl` description says 3 MB).
pub const MAX_ANSWER_BYTES: u64 = 1_048_576;
