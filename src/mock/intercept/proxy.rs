//! The forward-proxy face of the mock's port: CONNECT and absolute-form requests for the
//! intercepted hosts reach the same service; every other host gets 403, never a connection.

use std::convert::Infallible;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::body::Body;
use axum::extract::Request;
use axum::http::{Method, StatusCode, header};
use axum::response::Response;
use hyper_util::rt::TokioIo;

use super::{BoxFuture, Interceptor, Via, intercepted};

/// The mock's service with the proxy in front. Without an interceptor it is the service.
#[derive(Clone)]
pub(crate) struct Intercept<S> {
    pub(crate) inner: S,
    pub(crate) with: Option<Arc<Interceptor>>,
}

impl<S> tower_service::Service<Request> for Intercept<S>
where
    S: tower_service::Service<Request, Response = Response, Error = Infallible, Future = BoxFuture>
        + Clone
        + Send
        + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = BoxFuture;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request) -> BoxFuture {
        let Some(with) = &self.with else {
            return self.inner.call(req);
        };
        if req.method() == Method::CONNECT {
            let response = connect(with, req, self.inner.clone());
            return Box::pin(async move { Ok(response) });
        }
        // Absolute-form (`GET http://host/path`): a client using the port as its proxy.
        // `https://` sent in clear is served too: axios before 1.16 does that.
        if let Some(authority) = req.uri().authority() {
            match intercepted(authority.host()) {
                Some(host) => {
                    req.extensions_mut().insert(Via(host));
                    return self.inner.call(req);
                }
                None => {
                    let response = refuse(with, req.method().as_str(), authority.as_str());
                    return Box::pin(async move { Ok(response) });
                }
            }
        }
        self.inner.call(req)
    }
}

/// `CONNECT host:port`: 200, then TLS with a leaf for that host on the same connection.
fn connect<S>(with: &Arc<Interceptor>, req: Request, service: S) -> Response
where
    S: tower_service::Service<Request, Response = Response, Error = Infallible, Future = BoxFuture>
        + Clone
        + Send
        + 'static,
{
    let target = req.uri().authority().cloned();
    let Some(target) = target else {
        return plain(
            StatusCode::BAD_REQUEST,
            "CONNECT needs host:port\n".to_string(),
        );
    };
    let Some(host) = intercepted(target.host()) else {
        return refuse(with, "CONNECT", target.as_str());
    };
    let upgrade = hyper::upgrade::on(req);
    let with = with.clone();
    tokio::spawn(async move {
        // The client hung up before the tunnel opened: nothing to serve.
        let Ok(upgraded) = upgrade.await else { return };
        super::tls::serve(
            TokioIo::new(upgraded),
            with.tls.clone(),
            service,
            Some(host),
            super::HOSTS,
            with.advice.clone(),
            with.stop.clone(),
        )
        .await;
    });
    Response::new(Body::empty())
}

/// Not an open proxy: nothing is resolved or forwarded, loopback included.
fn refuse(with: &Interceptor, method: &str, target: &str) -> Response {
    let target: String = target.chars().take(200).collect();
    if with.log {
        crate::mock::journal::eprint_line(&format!(
            "mock-server: refused {method} {target}: not an intercepted host"
        ));
    }
    plain(
        StatusCode::FORBIDDEN,
        format!(
            "wxlogin mock-server intercepts only {} and forwards nothing: {target} refused\n",
            super::HOSTS.join(", ")
        ),
    )
}

fn plain(status: StatusCode, text: String) -> Response {
    let mut response = Response::new(Body::from(text));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}
