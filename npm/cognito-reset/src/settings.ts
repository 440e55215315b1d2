// @generated from shared/src/domain/settings by `make settings`. Do not edit.

/** A function of cognito-reset, by its package (and binary) name. */
export type FunctionName = "custom-message" | "custom-sms-sender" | "custom-email-sender" | "pre-token" | "post-confirmation" | "user-migration";

/** Every function. */
export const FUNCTIONS: readonly FunctionName[] = ["custom-message", "custom-sms-sender", "custom-email-sender", "pre-token", "post-confirmation", "user-migration"];

/** An ISO 3166 alpha-2 code SMS may go to: a region of libphonenumber's. */
export type Country =
  | "AC"
  | "AD"
  | "AE"
  | "AF"
  | "AG"
  | "AI"
  | "AL"
  | "AM"
  | "AO"
  | "AR"
  | "AS"
  | "AT"
  | "AU"
  | "AW"
  | "AX"
  | "AZ"
  | "BA"
  | "BB"
  | "BD"
  | "BE"
  | "BF"
  | "BG"
  | "BH"
  | "BI"
  | "BJ"
  | "BL"
  | "BM"
  | "BN"
  | "BO"
  | "BQ"
  | "BR"
  | "BS"
  | "BT"
  | "BW"
  | "BY"
  | "BZ"
  | "CA"
  | "CC"
  | "CD"
  | "CF"
  | "CG"
  | "CH"
  | "CI"
  | "CK"
  | "CL"
  | "CM"
  | "CN"
  | "CO"
  | "CR"
  | "CU"
  | "CV"
  | "CW"
  | "CX"
  | "CY"
  | "CZ"
  | "DE"
  | "DJ"
  | "DK"
  | "DM"
  | "DO"
  | "DZ"
  | "EC"
  | "EE"
  | "EG"
  | "EH"
  | "ER"
  | "ES"
  | "ET"
  | "FI"
  | "FJ"
  | "FK"
  | "FM"
  | "FO"
  | "FR"
  | "GA"
  | "GB"
  | "GD"
  | "GE"
  | "GF"
  | "GG"
  | "GH"
  | "GI"
  | "GL"
  | "GM"
  | "GN"
  | "GP"
  | "GQ"
  | "GR"
  | "GT"
  | "GU"
  | "GW"
  | "GY"
  | "HK"
  | "HN"
  | "HR"
  | "HT"
  | "HU"
  | "ID"
  | "IE"
  | "IL"
  | "IM"
  | "IN"
  | "IO"
  | "IQ"
  | "IR"
  | "IS"
  | "IT"
  | "JE"
  | "JM"
  | "JO"
  | "JP"
  | "KE"
  | "KG"
  | "KH"
  | "KI"
  | "KM"
  | "KN"
  | "KP"
  | "KR"
  | "KW"
  | "KY"
  | "KZ"
  | "LA"
  | "LB"
  | "LC"
  | "LI"
  | "LK"
  | "LR"
  | "LS"
  | "LT"
  | "LU"
  | "LV"
  | "LY"
  | "MA"
  | "MC"
  | "MD"
  | "ME"
  | "MF"
  | "MG"
  | "MH"
  | "MK"
  | "ML"
  | "MM"
  | "MN"
  | "MO"
  | "MP"
  | "MQ"
  | "MR"
  | "MS"
  | "MT"
  | "MU"
  | "MV"
  | "MW"
  | "MX"
  | "MY"
  | "MZ"
  | "NA"
  | "NC"
  | "NE"
  | "NF"
  | "NG"
  | "NI"
  | "NL"
  | "NO"
  | "NP"
  | "NR"
  | "NU"
  | "NZ"
  | "OM"
  | "PA"
  | "PE"
  | "PF"
  | "PG"
  | "PH"
  | "PK"
  | "PL"
  | "PM"
  | "PR"
  | "PS"
  | "PT"
  | "PW"
  | "PY"
  | "QA"
  | "RE"
  | "RO"
  | "RS"
  | "RU"
  | "RW"
  | "SA"
  | "SB"
  | "SC"
  | "SD"
  | "SE"
  | "SG"
  | "SH"
  | "SI"
  | "SJ"
  | "SK"
  | "SL"
  | "SM"
  | "SN"
  | "SO"
  | "SR"
  | "SS"
  | "ST"
  | "SV"
  | "SX"
  | "SY"
  | "SZ"
  | "TA"
  | "TC"
  | "TD"
  | "TG"
  | "TH"
  | "TJ"
  | "TK"
  | "TL"
  | "TM"
  | "TN"
  | "TO"
  | "TR"
  | "TT"
  | "TV"
  | "TW"
  | "TZ"
  | "UA"
  | "UG"
  | "US"
  | "UY"
  | "UZ"
  | "VA"
  | "VC"
  | "VE"
  | "VG"
  | "VI"
  | "VN"
  | "VU"
  | "WF"
  | "WS"
  | "XK"
  | "YE"
  | "YT"
  | "ZA"
  | "ZM"
  | "ZW";

/** The functions' options: one per setting a user writes (the deployment wires the key,
 * the pool, the delivery table and its hash key; a database URL is read only locally). Unset options take the functions'
 * defaults. */
export interface Options {
  /**
   * Product name in messages (at most 32 characters, so SMS stay one segment)
   *
   * Must be an app name of at most 32 characters, without braces or control characters (braces could be mistaken for Cognito placeholders; longer names do not fit a one-part SMS). Default: `your app`. Variable `APP_NAME`, read by custom-message, custom-sms-sender, custom-email-sender.
   */
  readonly appName?: string;
  /**
   * Language when the request and the user have none we ship.
   *
   * Must be a language tag such as en, pt-BR or de-DE. Default: `en`. Variable `DEFAULT_LOCALE`, read by custom-message, custom-sms-sender, custom-email-sender.
   */
  readonly defaultLocale?: string;
  /**
   * Base URL of the app's reset page, for a link in ForgotPassword email (`https://`, or `http://localhost`); the code goes in its `#` fragment.
   *
   * Must be an https:// URL (http:// only for localhost) without spaces, quotes or angle brackets. Variable `RESET_URL`, read by custom-message, custom-sms-sender, custom-email-sender.
   */
  readonly resetUrl?: string;
  /**
   * Accent colour of the email layout.
   *
   * Must be a colour as #rgb or #rrggbb. Default: `#2f6fed`. Variable `BRAND_COLOR`, read by custom-message, custom-sms-sender, custom-email-sender.
   */
  readonly brandColor?: string;
  /**
   * Shown in AdminCreateUser messages; keep it equal to the pool's setting.
   *
   * Must be a whole number of days from 1 to 365 (Cognito's range). Default: `3`. Variable `TEMPORARY_PASSWORD_VALIDITY_DAYS`, read by custom-message, custom-sms-sender, custom-email-sender.
   */
  readonly temporaryPasswordValidityDays?: number;
  /**
   * Per app client overrides, JSON: `{"<app client id>": {"appName": "...", "resetUrl": "...", "brandColor": "...", "defaultLocale": "..."}}`.
   *
   * Must be a JSON object of app client ids, each with appName, resetUrl, brandColor and defaultLocale (each optional). Variable `CLIENT_SETTINGS`, read by custom-message, custom-sms-sender, custom-email-sender.
   */
  readonly clientSettings?: string;
  /**
   * `false`: the senders log (masked) what they would send and send nothing.
   *
   * Must be true or false. Default: `true`. Variable `SEND_ENABLED`, read by custom-sms-sender, custom-email-sender.
   */
  readonly sendEnabled?: boolean;
  /**
   * Refuse codes without the `userpool-id` encryption context Cognito adds (`false` only for local stand-ins such as cognito-local)
   *
   * Must be true or false. Default: `true`. Variable `REQUIRE_POOL_CONTEXT`, read by custom-sms-sender, custom-email-sender.
   */
  readonly requirePoolContext?: boolean;
  /**
   * `ALL`, or the ISO 3166 alpha-2 codes SMS may go to, in capitals, comma-separated, e.g. `US,CA`.
   *
   * Must be ALL, or ISO 3166 alpha-2 country codes in capitals separated by commas, such as US,CA (required: SMS to every country invites SMS pumping). Required by the functions that read it. Variable `SMS_ALLOWED_COUNTRIES`, read by custom-sms-sender.
   */
  readonly smsAllowedCountries?: 'ALL' | readonly [Country, ...Country[]];
  /**
   * SNS: alphanumeric sender ID (1-11 characters, where the country supports it)
   *
   * Must be 1 to 11 letters, digits or hyphens, with at least one letter. Variable `SMS_SENDER_ID`, read by custom-sms-sender.
   */
  readonly smsSenderId?: string;
  /**
   * SNS: E.164 number SMS are sent from.
   *
   * Must be an E.164 number such as +12065550100. Variable `SMS_ORIGINATION_NUMBER`, read by custom-sms-sender.
   */
  readonly smsOriginationNumber?: string;
  /**
   * Adds the `@domain #code` autofill line (iOS, Safari, WebOTP)
   *
   * Must be a host name such as app.example.com (at most 64 characters). Variable `SMS_OTP_DOMAIN`, read by custom-sms-sender.
   */
  readonly smsOtpDomain?: string;
  /**
   * Android SMS Retriever app hash (11 characters)
   *
   * Must be the 11-character Android SMS Retriever app hash. Variable `SMS_APP_HASH`, read by custom-sms-sender.
   */
  readonly smsAppHash?: string;
  /**
   * `sns` or `end-user-messaging`.
   *
   * Must be sns or end-user-messaging. Default: `sns`. Variable `SMS_BACKEND`, read by custom-sms-sender.
   */
  readonly smsBackend?: "sns" | "end-user-messaging";
  /**
   * End User Messaging: phone number, sender ID, pool id, or their ARN.
   *
   * Must be an End User Messaging origination identity: a phone number (E.164), sender ID, pool id, or one of their ARNs. Variable `SMS_ORIGINATION_IDENTITY`, read by custom-sms-sender.
   */
  readonly smsOriginationIdentity?: string;
  /**
   * End User Messaging: configuration set name or ARN.
   *
   * Must be an End User Messaging configuration set name or ARN. Variable `SMS_CONFIGURATION_SET`, read by custom-sms-sender.
   */
  readonly smsConfigurationSet?: string;
  /**
   * End User Messaging: protect configuration id or ARN.
   *
   * Must be an End User Messaging protect configuration id or ARN. Variable `SMS_PROTECT_CONFIGURATION_ID`, read by custom-sms-sender.
   */
  readonly smsProtectConfigurationId?: string;
  /**
   * End User Messaging: the most to pay per message part, e.g. `0.05`.
   *
   * Must be the most to pay per message part in US dollars, with a decimal point, such as 0.05 (the service's MaxPrice). Variable `SMS_MAX_PRICE_USD`, read by custom-sms-sender.
   */
  readonly smsMaxPriceUsd?: string;
  /**
   * Verified SES address email is sent from.
   *
   * Must be a plain address such as no-reply@example.com (the verified SES identity email is sent from). Required by the functions that read it. Variable `EMAIL_FROM`, read by custom-email-sender.
   */
  readonly emailFrom?: string;
  /**
   * Reply-to address.
   *
   * Must be a plain address such as support@example.com. Variable `EMAIL_REPLY_TO`, read by custom-email-sender.
   */
  readonly emailReplyTo?: string;
  /**
   * SES configuration set for sending events.
   *
   * Must be an SES configuration set name: 1 to 64 letters, digits, hyphens or underscores. Variable `SES_CONFIGURATION_SET`, read by custom-email-sender.
   */
  readonly sesConfigurationSet?: string;
  /**
   * Maximum password age in days (0-3650; unset or 0: no age rule)
   *
   * Must be a whole number of days from 0 to 3650 (0: no age rule). Variable `PASSWORD_MAX_AGE_DAYS`, read by pre-token, post-confirmation.
   */
  readonly passwordMaxAgeDays?: number;
  /**
   * Warning window before expiry, in days (0: none; as long as the maximum age or longer: warned from the first day, the sign-in that chose the password aside; ignored without a maximum age)
   *
   * Must be a whole number of days from 0 to 3649 (0: no warning; as long as PASSWORD_MAX_AGE_DAYS or longer: warned from the first day). Variable `PASSWORD_WARN_DAYS`, read by pre-token, post-confirmation.
   */
  readonly passwordWarnDays?: number;
  /**
   * Where the change time is stored (a `custom:` attribute the pool defines)
   *
   * Must be a custom attribute such as custom:password_changed_at. Default: `custom:password_changed_at`. Variable `PASSWORD_CHANGED_ATTRIBUTE`, read by pre-token, post-confirmation, user-migration.
   */
  readonly passwordChangedAttribute?: string;
  /**
   * The forced-reset flag (`make force-reset` sets it; any value but empty, `false`, `0`, `no` forces a reset)
   *
   * Must be a custom attribute such as custom:force_password_reset, other than PASSWORD_CHANGED_ATTRIBUTE. Default: `custom:force_password_reset`. Variable `FORCE_RESET_ATTRIBUTE`, read by pre-token, post-confirmation, user-migration.
   */
  readonly forceResetAttribute?: string;
  /**
   * `deny` or `restrict` (V2/V3 events), in lower case.
   *
   * Must be deny or restrict. Default: `deny`. Variable `ON_VIOLATION`, read by pre-token, post-confirmation.
   */
  readonly onViolation?: "deny" | "restrict";
  /**
   * `allow` or `violation`.
   *
   * Must be allow or violation. Default: `allow`. Variable `ON_UNKNOWN_CHANGE_TIME`, read by pre-token, post-confirmation.
   */
  readonly onUnknownChangeTime?: "allow" | "violation";
  /**
   * Post-confirmation also stamps on sign-up confirmation.
   *
   * Must be true or false. Default: `true`. Variable `STAMP_ON_SIGN_UP`, read by post-confirmation.
   */
  readonly stampOnSignUp?: boolean;
  /**
   * The Secrets Manager secret holding the legacy database URL (or RDS's JSON with `host`, `port`, `username`, `password`, `dbname`), read once at init.
   *
   * Must be a Secrets Manager secret's complete ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 characters>). Variable `LEGACY_DATABASE_SECRET_ARN`, read by user-migration.
   */
  readonly legacyDatabaseSecretArn?: string;
  /**
   * The SQL that finds a user: `$1` is the username; returns `password_hash`, columns named after Cognito attributes, optionally `password_changed_at`.
   *
   * Must be one SQL statement with $1 for the username and no other parameter. Variable `LEGACY_USER_QUERY`, read by user-migration.
   */
  readonly legacyUserQuery?: string;
  /**
   * The team's HTTPS API that finds a legacy user, in place of a database: `POST {"username": ...}` with the bearer token, answered by `{"user": {...}}` or `{"user": null}`.
   *
   * Must be an https:// URL without credentials or a fragment, such as https://legacy.example.com/cognito/users (http:// only to localhost, 127.0.0.1 or [::1]). Variable `LEGACY_USER_ENDPOINT`, read by user-migration.
   */
  readonly legacyUserEndpoint?: string;
  /**
   * The Secrets Manager secret holding the bearer token `LEGACY_USER_ENDPOINT` is called with, read once at init.
   *
   * Must be a Secrets Manager secret's complete ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 characters>). Variable `LEGACY_USER_ENDPOINT_TOKEN_SECRET_ARN`, read by user-migration.
   */
  readonly legacyUserEndpointTokenSecretArn?: string;
  /**
   * A legacy hash under bcrypt cost 10 or 100,000 PBKDF2 iterations: `force-reset` migrates the user with the forced-reset flag set, `allow` as any other.
   *
   * Must be force-reset or allow. Default: `force-reset`. Variable `ON_WEAK_HASH`, read by user-migration.
   */
  readonly onWeakHash?: "force-reset" | "allow";
  /**
   * SMS per number per window (1-1000): requested messages (reset, sign-up, resend, verification)
   *
   * Must be a whole number of SMS per number per window from 1 to 1000. Default: `5`. Variable `MAX_SMS_PER_NUMBER`, read by custom-sms-sender.
   */
  readonly maxSmsPerNumber?: number;
  /**
   * Emails per mailbox per window (1-1000): requested messages (reset, sign-up, resend, verification)
   *
   * Must be a whole number of emails per address per window from 1 to 1000. Default: `10`. Variable `MAX_EMAIL_PER_ADDRESS`, read by custom-email-sender.
   */
  readonly maxEmailPerAddress?: number;
  /**
   * Sign-in codes per number or mailbox per window (1-1000)
   *
   * Must be a whole number of sign-in codes per recipient per window from 1 to 1000. Default: `20`. Variable `MAX_SIGN_IN_CODES_PER_RECIPIENT`, read by custom-sms-sender, custom-email-sender.
   */
  readonly maxSignInCodesPerRecipient?: number;
  /**
   * The limits' window (60-86400)
   *
   * Must be a whole number of seconds from 60 to 86400. Default: `3600`. Variable `LIMIT_WINDOW_SECONDS`, read by custom-sms-sender, custom-email-sender.
   */
  readonly limitWindowSeconds?: number;
  /**
   * Requested SMS per pool per UTC day (0: none); never stops sign-in codes.
   *
   * Must be a whole number of SMS per pool per UTC day from 0 (no ceiling) to 10000000. Default: `0`. Variable `MAX_SMS_PER_POOL_PER_DAY`, read by custom-sms-sender.
   */
  readonly maxSmsPerPoolPerDay?: number;
  /**
   * `deliver` or `fail` when the table cannot be reached.
   *
   * Must be deliver or fail. Default: `deliver`. Variable `ON_TABLE_ERROR`, read by custom-sms-sender, custom-email-sender.
   */
  readonly onTableError?: "deliver" | "fail";
  /**
   * CloudWatch namespace of the EMF metrics.
   *
   * Must be a CloudWatch namespace: 1 to 255 letters, digits and . _ # : / -. Default: `CognitoReset`. Variable `METRICS_NAMESPACE`, read by custom-message, custom-sms-sender, custom-email-sender, pre-token, post-confirmation, user-migration.
   */
  readonly metricsNamespace?: string;
  /**
   * `error`, `warn`, `info`, `debug`, `trace` (Lambda's `AWS_LAMBDA_LOG_LEVEL` wins)
   *
   * Must be error, warn, info, debug or trace. Default: `info`. Variable `LOG_LEVEL`, read by custom-message, custom-sms-sender, custom-email-sender, pre-token, post-confirmation, user-migration.
   */
  readonly logLevel?: string;
}

/** What a setting accepts (the functions' rule). */
export type Rule =
  | { readonly kind: 'text'; readonly pattern: string }
  | { readonly kind: 'whole'; readonly min: number; readonly max: number }
  | { readonly kind: 'oneOf'; readonly values: readonly string[] }
  | { readonly kind: 'flag' };

/** One setting, as the functions define it. */
export interface Setting {
  readonly variable: string;
  /** The option a user writes; `null` when the deployment wires it. */
  readonly option: keyof Options | null;
  readonly functions: readonly FunctionName[];
  readonly required: boolean;
  readonly rule: Rule;
  /** What a valid value is (the functions' error messages say it). */
  readonly described: string;
  /** Never echoed in a message. */
  readonly secret: boolean;
  /** The option is a list, written comma-separated. */
  readonly list: boolean;
}

/** Every setting, in the functions' order. */
export const SETTINGS: readonly Setting[] = [
  {
    variable: "APP_NAME",
    option: "appName",
    functions: ["custom-message", "custom-sms-sender", "custom-email-sender"],
    required: false,
    rule: { kind: 'text', pattern: "^[^{}\\p{Cc}]{1,32}$" },
    described: "an app name of at most 32 characters, without braces or control characters (braces could be mistaken for Cognito placeholders; longer names do not fit a one-part SMS)",
    secret: false,
    list: false,
  },
  {
    variable: "DEFAULT_LOCALE",
    option: "defaultLocale",
    functions: ["custom-message", "custom-sms-sender", "custom-email-sender"],
    required: false,
    rule: { kind: 'text', pattern: "^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*$" },
    described: "a language tag such as en, pt-BR or de-DE",
    secret: false,
    list: false,
  },
  {
    variable: "RESET_URL",
    option: "resetUrl",
    functions: ["custom-message", "custom-sms-sender", "custom-email-sender"],
    required: false,
    rule: { kind: 'text', pattern: "^(https://|http://localhost|http://127\\.0\\.0\\.1)[^\"<>\\p{Z}\\p{Cc}]*$" },
    described: "an https:// URL (http:// only for localhost) without spaces, quotes or angle brackets",
    secret: false,
    list: false,
  },
  {
    variable: "BRAND_COLOR",
    option: "brandColor",
    functions: ["custom-message", "custom-sms-sender", "custom-email-sender"],
    required: false,
    rule: { kind: 'text', pattern: "^#([0-9A-Fa-f]{3}|[0-9A-Fa-f]{6})$" },
    described: "a colour as #rgb or #rrggbb",
    secret: false,
    list: false,
  },
  {
    variable: "TEMPORARY_PASSWORD_VALIDITY_DAYS",
    option: "temporaryPasswordValidityDays",
    functions: ["custom-message", "custom-sms-sender", "custom-email-sender"],
    required: false,
    rule: { kind: 'whole', min: 1, max: 365 },
    described: "a whole number of days from 1 to 365 (Cognito's range)",
    secret: false,
    list: false,
  },
  {
    variable: "CLIENT_SETTINGS",
    option: "clientSettings",
    functions: ["custom-message", "custom-sms-sender", "custom-email-sender"],
    required: false,
    rule: { kind: 'text', pattern: "^\\{[\\s\\S]*\\}$" },
    described: "a JSON object of app client ids, each with appName, resetUrl, brandColor and defaultLocale (each optional)",
    secret: false,
    list: false,
  },
  {
    variable: "KEY_ARN",
    option: null,
    functions: ["custom-sms-sender", "custom-email-sender"],
    required: true,
    rule: { kind: 'text', pattern: "^arn:[^:\\p{Cc}]*:kms:[^:\\p{Cc}]*:[^:\\p{Cc}]*:key/[^\\p{Cc}]+$" },
    described: "a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key id>); aliases cannot decrypt",
    secret: false,
    list: false,
  },
  {
    variable: "SEND_ENABLED",
    option: "sendEnabled",
    functions: ["custom-sms-sender", "custom-email-sender"],
    required: false,
    rule: { kind: 'flag' },
    described: "true or false",
    secret: false,
    list: false,
  },
  {
    variable: "REQUIRE_POOL_CONTEXT",
    option: "requirePoolContext",
    functions: ["custom-sms-sender", "custom-email-sender"],
    required: false,
    rule: { kind: 'flag' },
    described: "true or false",
    secret: false,
    list: false,
  },
  {
    variable: "SMS_ALLOWED_COUNTRIES",
    option: "smsAllowedCountries",
    functions: ["custom-sms-sender"],
    required: true,
    rule: { kind: 'text', pattern: "^(ALL|(AC|AD|AE|AF|AG|AI|AL|AM|AO|AR|AS|AT|AU|AW|AX|AZ|BA|BB|BD|BE|BF|BG|BH|BI|BJ|BL|BM|BN|BO|BQ|BR|BS|BT|BW|BY|BZ|CA|CC|CD|CF|CG|CH|CI|CK|CL|CM|CN|CO|CR|CU|CV|CW|CX|CY|CZ|DE|DJ|DK|DM|DO|DZ|EC|EE|EG|EH|ER|ES|ET|FI|FJ|FK|FM|FO|FR|GA|GB|GD|GE|GF|GG|GH|GI|GL|GM|GN|GP|GQ|GR|GT|GU|GW|GY|HK|HN|HR|HT|HU|ID|IE|IL|IM|IN|IO|IQ|IR|IS|IT|JE|JM|JO|JP|KE|KG|KH|KI|KM|KN|KP|KR|KW|KY|KZ|LA|LB|LC|LI|LK|LR|LS|LT|LU|LV|LY|MA|MC|MD|ME|MF|MG|MH|MK|ML|MM|MN|MO|MP|MQ|MR|MS|MT|MU|MV|MW|MX|MY|MZ|NA|NC|NE|NF|NG|NI|NL|NO|NP|NR|NU|NZ|OM|PA|PE|PF|PG|PH|PK|PL|PM|PR|PS|PT|PW|PY|QA|RE|RO|RS|RU|RW|SA|SB|SC|SD|SE|SG|SH|SI|SJ|SK|SL|SM|SN|SO|SR|SS|ST|SV|SX|SY|SZ|TA|TC|TD|TG|TH|TJ|TK|TL|TM|TN|TO|TR|TT|TV|TW|TZ|UA|UG|US|UY|UZ|VA|VC|VE|VG|VI|VN|VU|WF|WS|XK|YE|YT|ZA|ZM|ZW)(,(AC|AD|AE|AF|AG|AI|AL|AM|AO|AR|AS|AT|AU|AW|AX|AZ|BA|BB|BD|BE|BF|BG|BH|BI|BJ|BL|BM|BN|BO|BQ|BR|BS|BT|BW|BY|BZ|CA|CC|CD|CF|CG|CH|CI|CK|CL|CM|CN|CO|CR|CU|CV|CW|CX|CY|CZ|DE|DJ|DK|DM|DO|DZ|EC|EE|EG|EH|ER|ES|ET|FI|FJ|FK|FM|FO|FR|GA|GB|GD|GE|GF|GG|GH|GI|GL|GM|GN|GP|GQ|GR|GT|GU|GW|GY|HK|HN|HR|HT|HU|ID|IE|IL|IM|IN|IO|IQ|IR|IS|IT|JE|JM|JO|JP|KE|KG|KH|KI|KM|KN|KP|KR|KW|KY|KZ|LA|LB|LC|LI|LK|LR|LS|LT|LU|LV|LY|MA|MC|MD|ME|MF|MG|MH|MK|ML|MM|MN|MO|MP|MQ|MR|MS|MT|MU|MV|MW|MX|MY|MZ|NA|NC|NE|NF|NG|NI|NL|NO|NP|NR|NU|NZ|OM|PA|PE|PF|PG|PH|PK|PL|PM|PR|PS|PT|PW|PY|QA|RE|RO|RS|RU|RW|SA|SB|SC|SD|SE|SG|SH|SI|SJ|SK|SL|SM|SN|SO|SR|SS|ST|SV|SX|SY|SZ|TA|TC|TD|TG|TH|TJ|TK|TL|TM|TN|TO|TR|TT|TV|TW|TZ|UA|UG|US|UY|UZ|VA|VC|VE|VG|VI|VN|VU|WF|WS|XK|YE|YT|ZA|ZM|ZW))*)$" },
    described: "ALL, or ISO 3166 alpha-2 country codes in capitals separated by commas, such as US,CA (required: SMS to every country invites SMS pumping)",
    secret: false,
    list: true,
  },
  {
    variable: "SMS_SENDER_ID",
    option: "smsSenderId",
    functions: ["custom-sms-sender"],
    required: false,
    rule: { kind: 'text', pattern: "^(?=[A-Za-z0-9-]*[A-Za-z])[A-Za-z0-9-]{1,11}$" },
    described: "1 to 11 letters, digits or hyphens, with at least one letter",
    secret: false,
    list: false,
  },
  {
    variable: "SMS_ORIGINATION_NUMBER",
    option: "smsOriginationNumber",
    functions: ["custom-sms-sender"],
    required: false,
    rule: { kind: 'text', pattern: "^\\+[1-9][0-9]{6,14}$" },
    described: "an E.164 number such as +12065550100",
    secret: false,
    list: false,
  },
  {
    variable: "SMS_OTP_DOMAIN",
    option: "smsOtpDomain",
    functions: ["custom-sms-sender"],
    required: false,
    rule: { kind: 'text', pattern: "^(?=.{1,64}$)[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+$" },
    described: "a host name such as app.example.com (at most 64 characters)",
    secret: false,
    list: false,
  },
  {
    variable: "SMS_APP_HASH",
    option: "smsAppHash",
    functions: ["custom-sms-sender"],
    required: false,
    rule: { kind: 'text', pattern: "^[A-Za-z0-9+/]{11}$" },
    described: "the 11-character Android SMS Retriever app hash",
    secret: false,
    list: false,
  },
  {
    variable: "SMS_BACKEND",
    option: "smsBackend",
    functions: ["custom-sms-sender"],
    required: false,
    rule: { kind: 'oneOf', values: ["sns", "end-user-messaging"] },
    described: "sns or end-user-messaging",
    secret: false,
    list: false,
  },
  {
    variable: "SMS_ORIGINATION_IDENTITY",
    option: "smsOriginationIdentity",
    functions: ["custom-sms-sender"],
    required: false,
    rule: { kind: 'text', pattern: "^[A-Za-z0-9_:/+-]{1,256}$" },
    described: "an End User Messaging origination identity: a phone number (E.164), sender ID, pool id, or one of their ARNs",
    secret: false,
    list: false,
  },
  {
    variable: "SMS_CONFIGURATION_SET",
    option: "smsConfigurationSet",
    functions: ["custom-sms-sender"],
    required: false,
    rule: { kind: 'text', pattern: "^[A-Za-z0-9_:/-]{1,256}$" },
    described: "an End User Messaging configuration set name or ARN",
    secret: false,
    list: false,
  },
  {
    variable: "SMS_PROTECT_CONFIGURATION_ID",
    option: "smsProtectConfigurationId",
    functions: ["custom-sms-sender"],
    required: false,
    rule: { kind: 'text', pattern: "^[A-Za-z0-9_:/-]{1,256}$" },
    described: "an End User Messaging protect configuration id or ARN",
    secret: false,
    list: false,
  },
  {
    variable: "SMS_MAX_PRICE_USD",
    option: "smsMaxPriceUsd",
    functions: ["custom-sms-sender"],
    required: false,
    rule: { kind: 'text', pattern: "^[0-9]{0,2}\\.[0-9]{1,5}$" },
    described: "the most to pay per message part in US dollars, with a decimal point, such as 0.05 (the service's MaxPrice)",
    secret: false,
    list: false,
  },
  {
    variable: "EMAIL_FROM",
    option: "emailFrom",
    functions: ["custom-email-sender"],
    required: true,
    rule: { kind: 'text', pattern: "^(?=[^@]{1,64}@)[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?=[^@]{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+(?![0-9]+$)[A-Za-z0-9][A-Za-z0-9-]{0,61}[A-Za-z0-9]$" },
    described: "a plain address such as no-reply@example.com (the verified SES identity email is sent from)",
    secret: false,
    list: false,
  },
  {
    variable: "EMAIL_REPLY_TO",
    option: "emailReplyTo",
    functions: ["custom-email-sender"],
    required: false,
    rule: { kind: 'text', pattern: "^(?=[^@]{1,64}@)[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?=[^@]{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+(?![0-9]+$)[A-Za-z0-9][A-Za-z0-9-]{0,61}[A-Za-z0-9]$" },
    described: "a plain address such as support@example.com",
    secret: false,
    list: false,
  },
  {
    variable: "SES_CONFIGURATION_SET",
    option: "sesConfigurationSet",
    functions: ["custom-email-sender"],
    required: false,
    rule: { kind: 'text', pattern: "^[A-Za-z0-9_-]{1,64}$" },
    described: "an SES configuration set name: 1 to 64 letters, digits, hyphens or underscores",
    secret: false,
    list: false,
  },
  {
    variable: "PASSWORD_MAX_AGE_DAYS",
    option: "passwordMaxAgeDays",
    functions: ["pre-token", "post-confirmation"],
    required: false,
    rule: { kind: 'whole', min: 0, max: 3650 },
    described: "a whole number of days from 0 to 3650 (0: no age rule)",
    secret: false,
    list: false,
  },
  {
    variable: "PASSWORD_WARN_DAYS",
    option: "passwordWarnDays",
    functions: ["pre-token", "post-confirmation"],
    required: false,
    rule: { kind: 'whole', min: 0, max: 3649 },
    described: "a whole number of days from 0 to 3649 (0: no warning; as long as PASSWORD_MAX_AGE_DAYS or longer: warned from the first day)",
    secret: false,
    list: false,
  },
  {
    variable: "PASSWORD_CHANGED_ATTRIBUTE",
    option: "passwordChangedAttribute",
    functions: ["pre-token", "post-confirmation", "user-migration"],
    required: false,
    rule: { kind: 'text', pattern: "^custom:[A-Za-z0-9_]{1,20}$" },
    described: "a custom attribute such as custom:password_changed_at",
    secret: false,
    list: false,
  },
  {
    variable: "FORCE_RESET_ATTRIBUTE",
    option: "forceResetAttribute",
    functions: ["pre-token", "post-confirmation", "user-migration"],
    required: false,
    rule: { kind: 'text', pattern: "^custom:[A-Za-z0-9_]{1,20}$" },
    described: "a custom attribute such as custom:force_password_reset, other than PASSWORD_CHANGED_ATTRIBUTE",
    secret: false,
    list: false,
  },
  {
    variable: "ON_VIOLATION",
    option: "onViolation",
    functions: ["pre-token", "post-confirmation"],
    required: false,
    rule: { kind: 'oneOf', values: ["deny", "restrict"] },
    described: "deny or restrict",
    secret: false,
    list: false,
  },
  {
    variable: "ON_UNKNOWN_CHANGE_TIME",
    option: "onUnknownChangeTime",
    functions: ["pre-token", "post-confirmation"],
    required: false,
    rule: { kind: 'oneOf', values: ["allow", "violation"] },
    described: "allow or violation",
    secret: false,
    list: false,
  },
  {
    variable: "STAMP_ON_SIGN_UP",
    option: "stampOnSignUp",
    functions: ["post-confirmation"],
    required: false,
    rule: { kind: 'flag' },
    described: "true or false",
    secret: false,
    list: false,
  },
  {
    variable: "USER_POOL_ID",
    option: null,
    functions: ["post-confirmation"],
    required: false,
    rule: { kind: 'text', pattern: "^[a-z]{2}(-[a-z]+)+-[0-9]+_[0-9A-Za-z]+$" },
    described: "a user pool ID such as us-east-1_AbCdEf123",
    secret: false,
    list: false,
  },
  {
    variable: "LEGACY_DATABASE_URL",
    option: null,
    functions: ["user-migration"],
    required: false,
    rule: { kind: 'text', pattern: "^postgres(ql)?://[^\\p{Cc}]+$" },
    described: "a PostgreSQL URL such as postgres://user:password@host:5432/db?sslmode=require",
    secret: true,
    list: false,
  },
  {
    variable: "LEGACY_DATABASE_SECRET_ARN",
    option: "legacyDatabaseSecretArn",
    functions: ["user-migration"],
    required: false,
    rule: { kind: 'text', pattern: "^arn:[a-z-]+:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:[^\\s\\p{Cc}]+-[A-Za-z0-9]{6}$" },
    described: "a Secrets Manager secret's complete ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 characters>)",
    secret: false,
    list: false,
  },
  {
    variable: "LEGACY_USER_QUERY",
    option: "legacyUserQuery",
    functions: ["user-migration"],
    required: false,
    rule: { kind: 'text', pattern: "^[\\s\\S]*\\$1[\\s\\S]*$" },
    described: "one SQL statement with $1 for the username and no other parameter",
    secret: false,
    list: false,
  },
  {
    variable: "LEGACY_USER_ENDPOINT",
    option: "legacyUserEndpoint",
    functions: ["user-migration"],
    required: false,
    rule: { kind: 'text', pattern: "^(https://([A-Za-z0-9.-]+|\\[[0-9A-Fa-f:.]+\\])|http://(localhost|127\\.0\\.0\\.1|\\[::1\\]))(:([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?([/?][A-Za-z0-9._~!$&'()*+,;=:@/?%-]*)?$" },
    described: "an https:// URL without credentials or a fragment, such as https://legacy.example.com/cognito/users (http:// only to localhost, 127.0.0.1 or [::1])",
    secret: false,
    list: false,
  },
  {
    variable: "LEGACY_USER_ENDPOINT_TOKEN",
    option: null,
    functions: ["user-migration"],
    required: false,
    rule: { kind: 'text', pattern: "^[!-~]+$" },
    described: "a bearer token: printable ASCII without spaces",
    secret: true,
    list: false,
  },
  {
    variable: "LEGACY_USER_ENDPOINT_TOKEN_SECRET_ARN",
    option: "legacyUserEndpointTokenSecretArn",
    functions: ["user-migration"],
    required: false,
    rule: { kind: 'text', pattern: "^arn:[a-z-]+:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:[^\\s\\p{Cc}]+-[A-Za-z0-9]{6}$" },
    described: "a Secrets Manager secret's complete ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 characters>)",
    secret: false,
    list: false,
  },
  {
    variable: "ON_WEAK_HASH",
    option: "onWeakHash",
    functions: ["user-migration"],
    required: false,
    rule: { kind: 'oneOf', values: ["force-reset", "allow"] },
    described: "force-reset or allow",
    secret: false,
    list: false,
  },
  {
    variable: "DELIVERY_TABLE",
    option: null,
    functions: ["custom-sms-sender", "custom-email-sender"],
    required: false,
    rule: { kind: 'text', pattern: "^[A-Za-z0-9_.-]{3,255}$" },
    described: "a DynamoDB table name (3 to 255 letters, digits, _ . -)",
    secret: false,
    list: false,
  },
  {
    variable: "DELIVERY_HASH_KEY",
    option: null,
    functions: ["custom-sms-sender", "custom-email-sender"],
    required: false,
    rule: { kind: 'text', pattern: "^[\\s\\S]{32,}$" },
    described: "at least 32 characters of secret (the template generates one in Secrets Manager)",
    secret: true,
    list: false,
  },
  {
    variable: "MAX_SMS_PER_NUMBER",
    option: "maxSmsPerNumber",
    functions: ["custom-sms-sender"],
    required: false,
    rule: { kind: 'whole', min: 1, max: 1000 },
    described: "a whole number of SMS per number per window from 1 to 1000",
    secret: false,
    list: false,
  },
  {
    variable: "MAX_EMAIL_PER_ADDRESS",
    option: "maxEmailPerAddress",
    functions: ["custom-email-sender"],
    required: false,
    rule: { kind: 'whole', min: 1, max: 1000 },
    described: "a whole number of emails per address per window from 1 to 1000",
    secret: false,
    list: false,
  },
  {
    variable: "MAX_SIGN_IN_CODES_PER_RECIPIENT",
    option: "maxSignInCodesPerRecipient",
    functions: ["custom-sms-sender", "custom-email-sender"],
    required: false,
    rule: { kind: 'whole', min: 1, max: 1000 },
    described: "a whole number of sign-in codes per recipient per window from 1 to 1000",
    secret: false,
    list: false,
  },
  {
    variable: "LIMIT_WINDOW_SECONDS",
    option: "limitWindowSeconds",
    functions: ["custom-sms-sender", "custom-email-sender"],
    required: false,
    rule: { kind: 'whole', min: 60, max: 86400 },
    described: "a whole number of seconds from 60 to 86400",
    secret: false,
    list: false,
  },
  {
    variable: "MAX_SMS_PER_POOL_PER_DAY",
    option: "maxSmsPerPoolPerDay",
    functions: ["custom-sms-sender"],
    required: false,
    rule: { kind: 'whole', min: 0, max: 10000000 },
    described: "a whole number of SMS per pool per UTC day from 0 (no ceiling) to 10000000",
    secret: false,
    list: false,
  },
  {
    variable: "ON_TABLE_ERROR",
    option: "onTableError",
    functions: ["custom-sms-sender", "custom-email-sender"],
    required: false,
    rule: { kind: 'oneOf', values: ["deliver", "fail"] },
    described: "deliver or fail",
    secret: false,
    list: false,
  },
  {
    variable: "METRICS_NAMESPACE",
    option: "metricsNamespace",
    functions: ["custom-message", "custom-sms-sender", "custom-email-sender", "pre-token", "post-confirmation", "user-migration"],
    required: false,
    rule: { kind: 'text', pattern: "^[A-Za-z0-9._#:/-]{1,255}$" },
    described: "a CloudWatch namespace: 1 to 255 letters, digits and . _ # : / -",
    secret: false,
    list: false,
  },
  {
    variable: "LOG_LEVEL",
    option: "logLevel",
    functions: ["custom-message", "custom-sms-sender", "custom-email-sender", "pre-token", "post-confirmation", "user-migration"],
    required: false,
    rule: { kind: 'text', pattern: "^([Tt][Rr][Aa][Cc][Ee]|[Dd][Ee][Bb][Uu][Gg]|[Ii][Nn][Ff][Oo]|[Ww][Aa][Rr][Nn]|[Ww][Aa][Rr][Nn][Ii][Nn][Gg]|[Ee][Rr][Rr][Oo][Rr]|[Ff][Aa][Tt][Aa][Ll])$" },
    described: "error, warn, info, debug or trace",
    secret: false,
    list: false,
  },
];
