//! The WhatsApp `messages` webhook as Meta documents it (webhooks reference, "messages" and
//! "Status messages"): `{"object": "whatsapp_business_account", "entry": [{"id": <WABA id>,
//! "changes": [{"field": "messages", "value": {"messaging_product": "whatsapp", "metadata":
//! {"display_phone_number", "phone_number_id"}, "contacts": [...], "statuses" | "messages":
//! [...]}}]}]}`.
//!
//! Since Meta's business-scoped user ids (BSUIDs, 2026), every contact carries a `user_id`
//! beside its `wa_id` and a `profile.country_code`, and inbound messages name it as
//! `from_user_id`: client libraries such as pywa read a user from it, so the sandbox gives each
//! person one, stable per business account and number. Status webhooks carry `contacts` for
//! `sent`, `delivered` and `read`, never for `failed` (Meta's BSUID guide).

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::SandboxState;

/// The business number the sandbox shows in webhook metadata (a fictional 555-01xx number).
pub(crate) const DISPLAY_PHONE_NUMBER: &str = "15550100000";

/// The profile name of every simulated person, the one [`super::people`] gives them all
/// (kept here too, so that the webhook shapes do not depend on the people who trigger them).
const PERSON_NAME: &str = "Person";

/// Calling codes of the countries a rehearsal most likely writes to, with their ISO 3166
/// codes, for the country prefix of a BSUID. Longest codes first, so `1` does not swallow
/// them. Numbers from elsewhere get `ZZ` (ISO's "unknown"): the sandbox does not pretend to
/// know a country it does not.
const CALLING_CODES: [(&str, &str); 27] = [
    ("212", "MA"),
    ("234", "NG"),
    ("249", "SD"),
    ("251", "ET"),
    ("252", "SO"),
    ("291", "ER"),
    ("963", "SY"),
    ("964", "IQ"),
    ("967", "YE"),
    ("880", "BD"),
    ("30", "GR"),
    ("31", "NL"),
    ("32", "BE"),
    ("33", "FR"),
    ("34", "ES"),
    ("39", "IT"),
    ("41", "CH"),
    ("43", "AT"),
    ("44", "GB"),
    ("46", "SE"),
    ("49", "DE"),
    ("90", "TR"),
    ("92", "PK"),
    ("93", "AF"),
    ("98", "IR"),
    ("20", "EG"),
    ("1", "US"),
];

/// The ISO country code of a WhatsApp number, when [`CALLING_CODES`] knows its prefix.
fn country_of(wa_id: &str) -> Option<&'static str> {
    CALLING_CODES
        .iter()
        .find(|(code, _)| wa_id.starts_with(code))
        .map(|(_, country)| *country)
}

/// The person's business-scoped user id for WhatsApp Business Account `waba_id`: the
/// person's ISO country code, a period and 20 digits, the shape Meta documents
/// (`US.13491208655302741918`). Stable for one account and number, different across accounts.
pub fn business_scoped_user_id(waba_id: &str, wa_id: &str) -> String {
    let country = country_of(wa_id).unwrap_or("ZZ");
    let digest = Sha256::new()
        .chain_update(waba_id.as_bytes())
        .chain_update(b"\n")
        .chain_update(wa_id.as_bytes())
        .finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    let number = u128::from_be_bytes(bytes) % 10u128.pow(20);
    format!("{country}.{number:020}")
}

/// The WhatsApp Business Account that owns phone number `phone_number_id`, as registered
/// with its webhook; the phone number id itself when none was given, so a sandbox that was
/// told nothing still sends one stable id.
pub(crate) fn waba_of(state: &SandboxState, phone_number_id: &str) -> String {
    state
        .whatsapp_accounts
        .get(phone_number_id)
        .cloned()
        .unwrap_or_else(|| phone_number_id.to_string())
}

/// One entry of `value.contacts`: the person's profile (name, and country where the number
/// tells it), number and BSUID. No `username`: simulated people have adopted none.
pub(crate) fn contact(waba_id: &str, wa_id: &str) -> Value {
    let mut profile = json!({"name": PERSON_NAME});
    if let Some(country) = country_of(wa_id) {
        profile["country_code"] = json!(country);
    }
    json!({
        "profile": profile,
        "wa_id": wa_id,
        "user_id": business_scoped_user_id(waba_id, wa_id),
    })
}

/// The `value.metadata` of every webhook about phone number `phone_number_id`.
pub(crate) fn metadata(phone_number_id: &str) -> Value {
    json!({
        "display_phone_number": DISPLAY_PHONE_NUMBER,
        "phone_number_id": phone_number_id,
    })
}

/// A webhook body about phone number `phone_number_id` of account `waba_id`, around the
/// `contacts` (left out when there are none) and one more array of the change's value
/// (`statuses` or `messages`).
pub(crate) fn envelope(
    waba_id: &str,
    phone_number_id: &str,
    contacts: Vec<Value>,
    kind: &str,
    items: Vec<Value>,
) -> Value {
    let mut value = json!({
        "messaging_product": "whatsapp",
        "metadata": metadata(phone_number_id),
    });
    if !contacts.is_empty() {
        value["contacts"] = Value::Array(contacts);
    }
    value[kind] = Value::Array(items);
    json!({
        "object": "whatsapp_business_account",
        "entry": [{
            "id": waba_id,
            "changes": [{"field": "messages", "value": value}],
        }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bsuids_have_metas_shape_and_are_scoped_to_the_account() {
        let id = business_scoped_user_id("1001", "31612345678");
        let (country, number) = id.split_once('.').unwrap();
        assert_eq!(country, "NL");
        assert_eq!(number.len(), 20);
        assert!(number.bytes().all(|b| b.is_ascii_digit()));
        assert_eq!(id, business_scoped_user_id("1001", "31612345678"));
        assert_ne!(id, business_scoped_user_id("1002", "31612345678"));
        assert!(business_scoped_user_id("1", "15551234567").starts_with("US."));
        assert!(business_scoped_user_id("1", "2125551234").starts_with("MA."));
        assert!(business_scoped_user_id("1", "8612345678").starts_with("ZZ."));
    }

    #[test]
    fn the_envelope_is_the_documented_one() {
        let body = envelope(
            "waba",
            "phone",
            vec![contact("waba", "316")],
            "statuses",
            vec![json!({"id": "wamid.1"})],
        );
        assert_eq!(body["object"], "whatsapp_business_account");
        let entry = &body["entry"][0];
        assert_eq!(entry["id"], "waba");
        assert_eq!(entry["changes"][0]["field"], "messages");
        let value = &entry["changes"][0]["value"];
        assert_eq!(value["messaging_product"], "whatsapp");
        assert_eq!(value["metadata"]["phone_number_id"], "phone");
        assert_eq!(
            value["metadata"]["display_phone_number"],
            DISPLAY_PHONE_NUMBER
        );
        assert_eq!(value["contacts"][0]["profile"]["name"], PERSON_NAME);
        assert_eq!(value["contacts"][0]["wa_id"], "316");
        assert_eq!(value["contacts"][0]["profile"]["country_code"], "NL");
        assert_eq!(value["statuses"][0]["id"], "wamid.1");
        let failed = envelope("waba", "phone", vec![], "statuses", vec![json!({})]);
        assert!(
            failed["entry"][0]["changes"][0]["value"]
                .get("contacts")
                .is_none()
        );
    }
}
