//! Who must act to fix a failure.

use std::fmt;

/// Who must act to fix a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(rename_all = "snake_case")
)]
pub enum Fault {
    /// The client that uploads (and sets the callback parameter).
    Uploader,
    /// OSS itself: nothing to fix on your side.
    Oss,
    /// The application server that receives the callback.
    CallbackServer,
}

impl Fault {
    /// Every value, in the order error messages list them.
    pub const ALL: [Fault; 3] = [Fault::Uploader, Fault::Oss, Fault::CallbackServer];

    /// The value called `name` in the catalog.
    #[must_use]
    pub fn parse(name: &str) -> Option<Fault> {
        Fault::ALL.into_iter().find(|fault| fault.as_str() == name)
    }

    /// The snake_case name used in the catalog and in JSON.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Fault::Uploader => "uploader",
            Fault::Oss => "oss",
            Fault::CallbackServer => "callback_server",
        }
    }

    /// The names of all values, for error messages.
    #[must_use]
    pub fn names() -> String {
        crate::rule::quoted_list(Fault::ALL.iter().map(|fault| fault.as_str()))
    }

    /// Who, in words: "the callback server".
    #[must_use]
    pub fn describe(self) -> &'static str {
        match self {
            Fault::Uploader => "the uploader",
            Fault::Oss => "OSS",
            Fault::CallbackServer => "the callback server",
        }
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
