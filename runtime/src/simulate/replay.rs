//! Sending a callback again, byte for byte: what an attacker who captured it can do.

use super::exchange::{Received, Target, exchange};
use super::{Attempt, Simulator, resolve};
use crate::callback::{CallbackParameter, ParameterError};
use crate::catalog::CallbackFailed;
use crate::judge::{Answer, Limits};

impl Simulator {
    /// Sends the request of `attempt` (a callback this simulator sent for `param`) again,
    /// unchanged, to the same URL, and judges the answer: the signature still verifies, since
    /// OSS signs no time. A server that runs its handler again for it accepts replays.
    ///
    /// ```no_run
    /// # async fn demo(param: oss_callback::callback::CallbackParameter, simulation: oss_callback::simulate::Simulation) {
    /// use oss_callback::simulate::Simulator;
    /// let simulator = Simulator::new();
    /// if let Some(first) = simulation.attempts.first() {
    ///     let copy = simulator.replay(first, &param).await.unwrap();
    ///     println!("the copy got {:?}", copy.status);
    /// }
    /// # }
    /// ```
    pub async fn replay(
        &self,
        attempt: &Attempt,
        param: &CallbackParameter,
    ) -> Result<Attempt, ParameterError> {
        let target = Target::new(&attempt.url)?;
        let (url, target, addr) = resolve(
            Ok(vec![(attempt.url.clone(), target)]),
            self.private,
            &mut Vec::new(),
        )
        .await?
        .into_iter()
        .next()
        .ok_or(ParameterError::MissingUrl)?;
        let received = exchange(&target, addr, &attempt.request, param.sni, &self.limits).await;
        Ok(judged(
            url,
            attempt.request.clone(),
            &received,
            &self.limits,
        ))
    }
}

/// One attempt: what was sent to `url`, what came back, and OSS's verdict on it.
pub(super) fn judged(
    url: String,
    request: Vec<u8>,
    received: &Received,
    limits: &Limits,
) -> Attempt {
    let (answer, status, elapsed, response_head, response_body) = match received {
        Received::Response(response) => (
            Answer::Response(response.as_server_response()),
            Some(response.status),
            response.elapsed,
            response.head().to_vec(),
            response.body().to_vec(),
        ),
        Received::Failed(failure) => (
            Answer::ConnectFailed(failure.clone()),
            None,
            failure.elapsed,
            Vec::new(),
            Vec::new(),
        ),
    };
    let verdict = crate::judge::judge::<CallbackFailed>(&answer, limits);
    Attempt {
        url,
        request,
        verdict,
        status,
        response_head,
        response_body,
        elapsed,
    }
}
