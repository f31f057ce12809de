//! What the uploader receives from a simulated upload, and how each callback attempt went.

use std::fmt::Write;
use std::time::Duration;

use crate::callback::ParameterError;
use crate::catalog::CallbackFailed;
use crate::judge::Verdict;
use crate::oss_error::OssError;

/// The result of a simulated upload: what the uploader receives, and why.
#[derive(Debug, Clone)]
pub struct Simulation {
    /// `x-oss-request-id` of the upload (also sent to the callback server).
    pub request_id: String,
    /// What the uploader gets: 200 (callback accepted), 203 (callback failed) or 400 (the
    /// callback parameter was refused).
    pub http_status: u16,
    /// What the uploader reads: the callback server's body for 200, the XML error otherwise.
    pub body: Vec<u8>,
    /// The callback failure, for 203.
    pub failure: Option<CallbackFailed>,
    /// Why the parameter was refused, for 400.
    pub refused: Option<ParameterError>,
    /// One per URL tried, in order.
    pub attempts: Vec<Attempt>,
    /// What real OSS would do differently (e.g. refuse a private address).
    pub warnings: Vec<String>,
    /// The time from the first connection to the verdict.
    pub elapsed: Duration,
}

/// One callback request to one URL.
#[derive(Debug, Clone)]
pub struct Attempt {
    /// The URL.
    pub url: String,
    /// The request sent, exactly: head and body.
    pub request: Vec<u8>,
    /// The verdict on the answer: every rule with its result.
    pub verdict: Verdict<CallbackFailed>,
    /// The status the server answered, if it answered.
    pub status: Option<u16>,
    /// The status line and headers the server answered, as received; empty without an answer.
    pub response_head: Vec<u8>,
    /// The body the server answered (as much as OSS reads), e.g. a JSON reason for a 4xx.
    pub response_body: Vec<u8>,
    /// How long the exchange took.
    pub elapsed: Duration,
}

impl Simulation {
    /// Whether the callback was accepted (the uploader gets 200).
    #[must_use]
    pub fn is_accepted(&self) -> bool {
        self.http_status == 200
    }

    /// The error the uploader's client reads, for 203 and 400.
    #[must_use]
    pub fn oss_error(&self) -> Option<OssError> {
        if self.is_accepted() {
            return None;
        }
        OssError::from_response(self.http_status, &self.body).ok()
    }

    /// The attempt that decided the outcome: the accepted one, or the last.
    #[must_use]
    pub fn decisive_attempt(&self) -> Option<&Attempt> {
        self.attempts
            .iter()
            .find(|a| a.verdict.is_accepted())
            .or_else(|| self.attempts.last())
    }
}

/// An OSS XML error body: `Code`, `Message`, `RequestId`, `HostId`, and with an EC its
/// `EC` and `RecommendDoc`, every value escaped.
///
/// ```
/// let xml = oss_callback::simulate::error_xml("NoSuchKey", "a <b>", "5C3D", "h", None);
/// assert!(xml.contains("<Message>a &lt;b&gt;</Message>"));
/// ```
#[must_use]
pub fn error_xml(
    code: &str,
    message: &str,
    request_id: &str,
    host_id: &str,
    ec: Option<&str>,
) -> String {
    let escape = |text: &str| quick_xml::escape::escape(text).into_owned();
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>\n");
    // Writing to a String cannot fail.
    let _ = writeln!(xml, "  <Code>{}</Code>", escape(code));
    let _ = writeln!(xml, "  <Message>{}</Message>", escape(message));
    let _ = writeln!(xml, "  <RequestId>{}</RequestId>", escape(request_id));
    let _ = writeln!(xml, "  <HostId>{}</HostId>", escape(host_id));
    if let Some(ec) = ec {
        let ec = escape(ec);
        let _ = writeln!(xml, "  <EC>{ec}</EC>");
        let _ = writeln!(
            xml,
            "  <RecommendDoc>https://api.aliyun.com/troubleshoot?q={ec}</RecommendDoc>"
        );
    }
    xml.push_str("</Error>\n");
    xml
}
