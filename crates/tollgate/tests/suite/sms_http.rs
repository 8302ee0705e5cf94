//! `HttpSmsDelivery` against a receiver on loopback that answers as an SMS gateway does: the
//! PIN arrives in the JSON body with the bearer token and logs the user in; a gateway that
//! answers 503 is tried again and the PIN voided; one that answers 400 is not tried again.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{Delivering, delivered, delivering, to_the_pin};
use tollgate::HttpSmsDelivery;
use tollgate::login::{Input, MessageId, Screen};

use crate::common;

/// A gateway on loopback: answers each request with the next status of `answers`, and keeps
/// what it was sent (headers and body).
fn gateway(answers: Vec<u16>) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/v1/sms", listener.local_addr().unwrap());
    let received = Arc::new(Mutex::new(Vec::new()));
    let log = received.clone();
    std::thread::spawn(move || {
        for status in answers {
            let (stream, _) = listener.accept().unwrap();
            let mut reader = BufReader::new(stream);
            let mut head = String::new();
            let mut length = 0;
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                if let Some(n) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = n.trim().parse().unwrap();
                }
                head.push_str(&line);
                if line == "\r\n" {
                    break;
                }
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            log.lock()
                .unwrap()
                .push(format!("{head}{}", String::from_utf8(body).unwrap()));
            let answer =
                format!("HTTP/1.1 {status} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            reader.get_mut().write_all(answer.as_bytes()).unwrap();
        }
    });
    (url, received)
}

/// A service that sends SMS to the gateway at `url`.
fn service(url: &str) -> Delivering {
    let sms = HttpSmsDelivery::new(url, "RSS", Duration::from_secs(5)).with_token("gateway-token");
    delivering(Arc::new(sms), Some("+1 613 270 1234"))
}

#[test]
fn the_pin_arrives_at_the_gateway_and_logs_in() {
    let (url, received) = gateway(vec![202]);
    let Delivering { service, .. } = service(&url);
    let view = to_the_pin(&service);
    assert_eq!(delivered(&view), Some(true));
    let request = received.lock().unwrap().remove(0);
    assert!(request.starts_with("POST /v1/sms HTTP/1.1"), "{request}");
    assert!(
        request
            .to_ascii_lowercase()
            .contains("authorization: bearer gateway-token"),
        "{request}"
    );
    let body = request.split("\r\n\r\n").nth(1).unwrap();
    let json: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(json["to"], "+16132701234");
    assert_eq!(json["from"], "RSS");
    let text = json["text"].as_str().unwrap();
    let pin = text
        .trim_start_matches("Your one-time password is ")
        .trim_end_matches('.');
    let view = service
        .submit(
            &view.login,
            Input::Pin(pin.to_owned()),
            tollgate::Client::default(),
        )
        .unwrap();
    assert!(
        matches!(view.screen, Screen::ChooseEnrollment { .. }),
        "{:?}",
        view.screen
    );
}

#[test]
fn a_gateway_that_is_down_is_tried_again_and_one_that_refuses_is_not() {
    let (url, received) = gateway(vec![503, 503, 503]);
    let Delivering { service, waits, .. } = service(&url);
    let view = to_the_pin(&service);
    assert_eq!(delivered(&view), Some(false));
    assert_eq!(view.notice.map(|n| n.id), Some(MessageId::SendFailed));
    assert_eq!(received.lock().unwrap().len(), 3);
    assert_eq!(waits.lock().unwrap().len(), 2);

    let (url, received) = gateway(vec![400]);
    let Delivering { service, waits, .. } = self::service(&url);
    let view = to_the_pin(&service);
    assert_eq!(delivered(&view), Some(false));
    assert_eq!(
        received.lock().unwrap().len(),
        1,
        "a refusal is not tried again"
    );
    assert!(waits.lock().unwrap().is_empty());
}
