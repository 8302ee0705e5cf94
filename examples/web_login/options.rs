//! The command line: see the crate's doc comment in `main.rs`.

use tollgate::codes::RegistrationScheme;

use crate::store::StoreChoice;

const USAGE: &str = "usage: web_login [--port N] [--store memory|sqlite:PATH|postgres://URL] \
    [--keys FILE] [--new-keys FILE] [--demo-users N] [--proxy ADDRESS]... [--registration-address URL] \
    [--registration-scheme tollgate|any-field] [--open-path] [--dev-outbox] [--dev-admin] [--seed N] \
    [--virtual-clock UNIX_SECONDS] [--metrics] [--catalogues DIR] [--smtp HOST:PORT] [--sms-gateway URL] \
    [--passkeys ORIGIN] [--ca DIR]";

#[derive(Default)]
pub(crate) struct Options {
    pub(crate) port: u16,
    pub(crate) store: StoreChoice,
    pub(crate) keys: Option<String>,
    pub(crate) new_keys: Option<String>,
    pub(crate) demo_users: u64,
    pub(crate) proxies: Vec<std::net::IpAddr>,
    pub(crate) address: Option<String>,
    pub(crate) scheme: RegistrationScheme,
    pub(crate) open_path: bool,
    pub(crate) dev_outbox: bool,
    pub(crate) dev_admin: bool,
    pub(crate) metrics: bool,
    pub(crate) catalogues: Option<String>,
    pub(crate) smtp: Option<(String, u16)>,
    pub(crate) sms_gateway: Option<String>,
    pub(crate) seed: Option<u64>,
    pub(crate) virtual_clock: Option<u64>,
    pub(crate) passkeys: Option<String>,
    /// Where the signing CA and keys are kept (made the first time).
    pub(crate) ca: Option<String>,
}

pub(crate) fn options() -> Result<Options, String> {
    let mut options = Options {
        port: 8080,
        ..Options::default()
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        let number = |name: &str, text: String| {
            text.parse::<u64>()
                .map_err(|_| format!("{name} needs a number"))
        };
        match arg.as_str() {
            "--port" => {
                let port = number("--port", value("--port")?)?;
                options.port = u16::try_from(port).map_err(|_| "--port: 0 to 65535")?;
            }
            "--store" => options.store = value(&arg)?.parse()?,
            "--keys" => options.keys = Some(value(&arg)?),
            "--new-keys" => options.new_keys = Some(value(&arg)?),
            "--proxy" => {
                let text = value(&arg)?;
                let address = text
                    .parse()
                    .map_err(|_| format!("--proxy {text:?}: an IP address (the proxy's)"))?;
                options.proxies.push(address);
            }
            "--demo-users" => {
                options.demo_users = number(&arg, value(&arg)?)?;
                if options.demo_users > 10_000 {
                    return Err("--demo-users: at most 10000".into());
                }
            }
            "--registration-address" => options.address = Some(value(&arg)?),
            "--registration-scheme" => {
                let name = value(&arg)?;
                options.scheme = name.parse().map_err(|e| format!("{arg} {name:?}: {e}"))?;
            }
            "--open-path" => options.open_path = true,
            "--dev-outbox" => options.dev_outbox = true,
            "--dev-admin" => options.dev_admin = true,
            "--metrics" => options.metrics = true,
            "--catalogues" => options.catalogues = Some(value(&arg)?),
            "--sms-gateway" => options.sms_gateway = Some(value(&arg)?),
            "--smtp" => {
                let address = value(&arg)?;
                let (host, port) = address.rsplit_once(':').ok_or("--smtp HOST:PORT")?;
                let port = port.parse().map_err(|_| "--smtp HOST:PORT: the port")?;
                options.smtp = Some((host.to_owned(), port));
            }
            "--passkeys" => options.passkeys = Some(value(&arg)?),
            "--ca" => options.ca = Some(value(&arg)?),
            "--seed" => options.seed = Some(number(&arg, value(&arg)?)?),
            "--virtual-clock" => options.virtual_clock = Some(number(&arg, value(&arg)?)?),
            "--help" | "-h" => return Err(USAGE.into()),
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
    }
    Ok(options)
}
