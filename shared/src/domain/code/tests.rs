use super::*;

#[test]
fn secrets_never_print() {
    let s = Secret::new("483920");
    assert_eq!(format!("{s:?}"), "Secret(<redacted>)");
    assert_eq!(s.expose(), "483920");
}

#[test]
fn unescapes_what_cognito_escapes() {
    assert_eq!(unescape_html("a&amp;b&lt;c&gt;d&quot;e&#39;f&#x2F;g"), "a&b<c>d\"e'f/g");
    assert_eq!(unescape_html("P@ss&amp;amp;"), "P@ss&amp;", "one level only");
    assert_eq!(unescape_html("&notanentity; & &;"), "&notanentity; & &;");
    assert_eq!(unescape_html("plain123"), "plain123");
    assert_eq!(unescape_html("&#128512;"), "😀");
    assert_eq!(unescape_html("&#xD800;"), "&#xD800;", "no surrogate code points");
}

#[test]
fn user_pool_must_match() {
    assert_eq!(check_user_pool(Some("us-east-1_A"), "us-east-1_A", true), Ok(()));
    assert_eq!(
        check_user_pool(Some("us-east-1_A"), "us-east-1_B", false),
        Err(DecryptError::WrongUserPool {
            expected: "us-east-1_B".into(),
            found: "us-east-1_A".into()
        })
    );
    assert_eq!(check_user_pool(None, "x", true), Err(DecryptError::NoUserPool));
    assert_eq!(check_user_pool(None, "x", false), Ok(()));
}

#[test]
fn only_unavailability_is_retryable() {
    assert!(DecryptError::Unavailable("throttled").is_retryable());
    assert!(!DecryptError::NotBase64.is_retryable());
    assert!(!DecryptError::Undecryptable("tampered".into()).is_retryable());
}

/// Real headers made by the Python Encryption SDK 4.0.7 under moto KMS keys, from the
/// first byte through the encrypted data key count (the signed suites carry the
/// `aws-crypto-public-key` and, but for the first 0x0578 one, `userpool-id` in their AAD).
/// Tests add a fabricated tail: a header check must not need the rest.
const V1_0378_1_EDK: &str = "01800378809844f680cd13a112338f7591016850007c000200156177732d63727970746f2d7075626c69632d6b6579004441706968337934385262614f346b584c2b376d686f4a6555354c67587758586230354a4d6f356c737a2f676e514a787a5546566a7233326a7337757a644f4d696b513d3d000b75736572706f6f6c2d6964000e75732d656173742d315f546573740001";
const V1_0378_2_EDKS: &str = "018003787809691bc570405318651d97f868773b007c000200156177732d63727970746f2d7075626c69632d6b65790044413854427262463566514970474f474e6e3645574733614f466876553949755a5a75742b6d7642754a696836724833725448704e536d5379736861507470303851773d3d000b75736572706f6f6c2d6964000e75732d656173742d315f546573740002";
const V1_0378_3_EDKS: &str = "0180037855e899a0137e8985aa28f81dbaa24572007c000200156177732d63727970746f2d7075626c69632d6b657900444176786e5a5536706166593939596642643173314e534f386d3873612f534c5a6b412b41656a35774d706c767779773965747857766c34774a6c55364677303975413d3d000b75736572706f6f6c2d6964000e75732d656173742d315f546573740003";
const V2_0578_1_EDK: &str = "02057811093956fe969495387071b332dd5081bb5ea50091c8217f44919812af9d8d23005f000100156177732d63727970746f2d7075626c69632d6b65790044417a6e5a6d7266516231437131453039537a4b5a323251763677444f2f5376785273787945736d594b7a7a5663306b7a7a62446c64434f534c7747533965505445513d3d0001";
const V2_0578_2_EDKS: &str = "020578fc31fd02d66205dd2f98320932612c9183e1483476c48f125273c8a765a1f721007c000200156177732d63727970746f2d7075626c69632d6b6579004441386f5059757964357a59686c6935632f6d64796679316f5134486e51335745714d35612b5454613049743172367964426c333973474e66594c504c327a766d6e773d3d000b75736572706f6f6c2d6964000e75732d656173742d315f546573740002";
const V2_0478_1_EDK: &str = "02047838121763789405cbbc737725715d8abcab9ce062b308881dc52c1f4355120ff7001f0001000b75736572706f6f6c2d6964000e75732d656173742d315f546573740001";
const V1_0178_1_EDK: &str =
    "018001789ea7f8f18ebc559fd062b314e0eeff1f001f0001000b75736572706f6f6c2d6964000e75732d656173742d315f546573740001";
const V1_0014_1_EDK: &str =
    "01800014968e13fbc439fbefc499d0aeb7afbe25001f0001000b75736572706f6f6c2d6964000e75732d656173742d315f546573740001";

/// A fabricated start of the first encrypted data key (provider id "aws-kms", ...).
const TAIL: [u8; 12] = [0x00, 0x07, b'a', b'w', b's', b'-', b'k', b'm', b's', 0x00, 0x4b, 0x61];

fn bytes(hex: &str) -> Vec<u8> {
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex"))
        .collect()
}

fn message(hex: &str) -> Vec<u8> {
    let mut m = bytes(hex);
    m.extend_from_slice(&TAIL);
    m
}

fn reason(e: DecryptError) -> String {
    assert!(!e.is_retryable(), "{e:?}");
    match e {
        DecryptError::Undecryptable(why) => why.into_owned(),
        other => panic!("not a refusal: {other:?}"),
    }
}

#[test]
fn headers_of_the_two_signed_suites_with_one_or_two_data_keys_pass() {
    use AcceptedSuite::*;
    for (hex, suite, edks) in [
        (V1_0378_1_EDK, Aes256GcmIv12Tag16HkdfSha384EcdsaP384, 1),
        (V1_0378_2_EDKS, Aes256GcmIv12Tag16HkdfSha384EcdsaP384, 2),
        (V2_0578_1_EDK, Aes256GcmHkdfSha512CommitKeyEcdsaP384, 1),
        (V2_0578_2_EDKS, Aes256GcmHkdfSha512CommitKeyEcdsaP384, 2),
    ] {
        let header = Header {
            suite,
            encrypted_data_keys: edks,
        };
        assert_eq!(check_header(&message(hex)), Ok(header), "{hex}");
        // The check reads no further than the data key count.
        assert_eq!(check_header(&bytes(hex)), Ok(header), "{hex}");
    }
    assert_eq!(AcceptedSuite::Aes256GcmIv12Tag16HkdfSha384EcdsaP384.id(), 0x0378);
    assert_eq!(AcceptedSuite::Aes256GcmHkdfSha512CommitKeyEcdsaP384.id(), 0x0578);
}

#[test]
fn other_suites_are_refused_by_id() {
    for (hex, expected) in [
        (
            V1_0178_1_EDK,
            "algorithm suite 0x0178 (AES_256_GCM_IV12_TAG16_HKDF_SHA256) is not accepted; only 0x0378 and 0x0578 are",
        ),
        (
            V1_0014_1_EDK,
            "algorithm suite 0x0014 (AES_128_GCM_IV12_TAG16_NO_KDF) is not accepted; only 0x0378 and 0x0578 are",
        ),
        (
            V2_0478_1_EDK,
            "algorithm suite 0x0478 (AES_256_GCM_HKDF_SHA512_COMMIT_KEY) is not accepted; only 0x0378 and 0x0578 are",
        ),
    ] {
        assert_eq!(reason(check_header(&message(hex)).expect_err(hex)), expected);
    }
    // An accepted id in the other format's header.
    let mut v2_with_0378 = message(V2_0578_1_EDK);
    v2_with_0378[1..3].copy_from_slice(&[0x03, 0x78]);
    assert_eq!(
        reason(check_header(&v2_with_0378).expect_err("refused")),
        "algorithm suite 0x0378 (AES_256_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384) in a message format 2 header"
    );
    let mut v1_with_0578 = message(V1_0378_1_EDK);
    v1_with_0578[2..4].copy_from_slice(&[0x05, 0x78]);
    assert!(reason(check_header(&v1_with_0578).expect_err("refused")).contains("0x0578"));
    // An id the Encryption SDK does not define is not echoed.
    let mut unknown = message(V1_0378_1_EDK);
    unknown[2..4].copy_from_slice(&[0xab, 0xcd]);
    let why = reason(check_header(&unknown).expect_err("refused"));
    assert_eq!(why, "unknown algorithm suite; only 0x0378 and 0x0578 are accepted");
    assert!(!why.to_ascii_lowercase().contains("ab"), "{why}");
}

#[test]
fn data_key_counts_other_than_one_or_two_are_refused() {
    assert_eq!(
        reason(check_header(&message(V1_0378_3_EDKS)).expect_err("3 keys")),
        "the header lists 3 encrypted data keys; at most 2 are accepted"
    );
    for (hex, count, expected) in [
        (
            V2_0578_2_EDKS,
            [0x00, 0x03],
            "the header lists 3 encrypted data keys; at most 2 are accepted",
        ),
        (
            V1_0378_1_EDK,
            [0xff, 0xff],
            "the header lists 65535 encrypted data keys; at most 2 are accepted",
        ),
        (V2_0578_1_EDK, [0x00, 0x00], "the header lists no encrypted data key"),
    ] {
        let mut m = bytes(hex);
        let n = m.len();
        m[n - 2..].copy_from_slice(&count);
        m.extend_from_slice(&TAIL);
        assert_eq!(reason(check_header(&m).expect_err(expected)), expected);
    }
}

#[test]
fn truncated_headers_and_unknown_formats_are_refused() {
    for hex in [V1_0378_1_EDK, V2_0578_2_EDKS] {
        let whole = bytes(hex);
        for len in 0..whole.len() {
            let why = reason(check_header(&whole[..len]).expect_err("truncated"));
            assert_eq!(why, "truncated message header", "{len} of {}", whole.len());
        }
    }
    // An AAD length past the end of the message.
    let mut long_aad = bytes(V1_0378_1_EDK);
    long_aad[20..22].copy_from_slice(&[0xff, 0xff]);
    assert_eq!(
        reason(check_header(&long_aad).expect_err("aad")),
        "truncated message header"
    );

    for version in [0x00, 0x03, 0x41, 0xff] {
        let mut m = message(V1_0378_1_EDK);
        m[0] = version;
        assert_eq!(
            reason(check_header(&m).expect_err("version")),
            "not an Encryption SDK message: unknown message format version"
        );
    }
    let mut wrong_type = message(V1_0378_1_EDK);
    wrong_type[1] = 0x81;
    assert_eq!(
        reason(check_header(&wrong_type).expect_err("type")),
        "not an Encryption SDK message: unknown message type"
    );
    // Six digits that happen to be base64: a plaintext code is refused, and not echoed.
    let why = reason(check_header(b"\xd7m\xf8\xe7\xae\xfc").expect_err("plaintext"));
    assert_eq!(why, "not an Encryption SDK message: unknown message format version");
}
