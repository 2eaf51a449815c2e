//! What an access token says about who holds it: the tenant (`tid`) and a name for the
//! principal (`upn`, `unique_name`, `appid` or `oid`). Read for the report only; the token is
//! never verified here (the services do that) and never stored.

use serde_json::Value as Json;

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Claims {
    pub tenant: Option<String>,
    pub principal: Option<String>,
}

/// The claims of a JWT, or none when the token is not one.
pub fn claims(token: &str) -> Claims {
    let Some(payload) = token.split('.').nth(1) else {
        return Claims::default();
    };
    let Some(bytes) = base64url(payload) else {
        return Claims::default();
    };
    let Ok(json) = serde_json::from_slice::<Json>(&bytes) else {
        return Claims::default();
    };
    let text = |k: &str| json.get(k).and_then(Json::as_str).map(str::to_owned);
    Claims {
        tenant: text("tid"),
        principal: text("upn")
            .or_else(|| text("unique_name"))
            .or_else(|| text("appid").map(|a| format!("application {a}")))
            .or_else(|| text("oid").map(|o| format!("object {o}"))),
    }
}

fn base64url(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.trim_end_matches('=').bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(((acc >> bits) & 0xff) as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tenant_and_principal_are_read_from_the_payload() {
        // {"tid":"t-1","upn":"ops@contoso.example"}
        let token = "x.eyJ0aWQiOiJ0LTEiLCJ1cG4iOiJvcHNAY29udG9zby5leGFtcGxlIn0.sig";
        assert_eq!(
            claims(token),
            Claims {
                tenant: Some("t-1".into()),
                principal: Some("ops@contoso.example".into())
            }
        );
        assert_eq!(claims("not a token"), Claims::default());
    }
}
