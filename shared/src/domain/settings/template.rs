//! The template's parameter constraints, written from the settings by `make settings`: each
//! parameter a function's environment takes (`{"Ref": "Parameter"}`) gets the constraints of
//! the variable it fills (`MinValue`/`MaxValue`, `AllowedValues` or `AllowedPattern`), so
//! CloudFormation refuses, before anything deploys, what the function would refuse at init.
//!
//! The template is edited as text, one parameter's entries at a time, in the layout `make
//! settings` and the project's other tools write (two-space indents, `json.dumps(indent=2)`):
//! the rest of the file, its key order included, stays as it is.

use serde_json::Value;

use super::{Rule, SMS_ALLOWED_COUNTRIES, Setting, countries_pattern, find, known_countries};

/// Every (parameter, setting) pair: a function's environment variable filled from a parameter.
/// Fails when such a variable is no setting.
pub fn parameter_settings(template: &Value) -> Result<Vec<(String, &'static Setting)>, String> {
    let mut out: Vec<(String, &'static Setting)> = Vec::new();
    let resources = template["Resources"]
        .as_object()
        .ok_or("the template has no Resources")?;
    for (name, resource) in resources {
        if resource["Type"] != "AWS::Lambda::Function" {
            continue;
        }
        let Some(variables) = resource["Properties"]["Environment"]["Variables"].as_object() else {
            continue;
        };
        for (variable, value) in variables {
            let Some(parameter) = value["Ref"].as_str() else {
                continue;
            };
            if template["Parameters"].get(parameter).is_none() {
                continue; // a pseudo parameter or a resource
            }
            let setting = find(variable).ok_or_else(|| format!("{name}: {variable} is not a setting"))?;
            if let Some((_, other)) = out.iter().find(|(p, _)| p == parameter) {
                if other.variable != setting.variable {
                    return Err(format!("{parameter} fills both {} and {variable}", other.variable));
                }
                continue;
            }
            out.push((parameter.to_owned(), setting));
        }
    }
    Ok(out)
}

/// A text setting's pattern as every generated file writes it: the countries spelled out
/// for `SMS_ALLOWED_COUNTRIES`, the rule's own pattern otherwise.
pub fn written_pattern(s: &Setting) -> Option<String> {
    match s.rule {
        Rule::Text { .. } if s.variable == SMS_ALLOWED_COUNTRIES.variable => {
            Some(countries_pattern(&known_countries()))
        }
        Rule::Text { pattern, .. } => Some(pattern.to_owned()),
        _ => None,
    }
}

/// The `AllowedPattern` of a text setting, as the template writes it: [`written_pattern`],
/// with `^$|` in front when the setting is optional (an empty parameter leaves it unset).
pub fn template_pattern(s: &Setting) -> Option<String> {
    written_pattern(s).map(|p| if s.optional { format!("^$|{p}") } else { p })
}

/// The constraint entries a parameter filling `s` has.
pub fn constraints(s: &Setting) -> Vec<(&'static str, Value)> {
    match s.rule {
        Rule::Whole { min, max } => vec![("MinValue", min.into()), ("MaxValue", max.into())],
        Rule::OneOf(values) => vec![("AllowedValues", values.to_vec().into())],
        Rule::Flag => vec![("AllowedValues", vec!["true", "false"].into())],
        Rule::Text { .. } => template_pattern(s)
            .map(|p| vec![("AllowedPattern", Value::String(p))])
            .unwrap_or_default(),
    }
}

/// `template` (the file's text) with every such parameter's constraints written from its setting.
pub fn with_template_constraints(template: &str) -> Result<String, String> {
    let parsed: Value = serde_json::from_str(template).map_err(|e| format!("the template is not JSON: {e}"))?;
    let mut text = template.to_owned();
    for (parameter, setting) in parameter_settings(&parsed)? {
        text = set_entries(&text, &parameter, &constraints(setting))?;
    }
    Ok(text)
}

const PARAMETERS: &str = "\n  \"Parameters\": {\n";
/// The entries a rule can set: any of them a rule does not set is removed.
pub const CONSTRAINT_KEYS: [&str; 6] = [
    "MinValue",
    "MaxValue",
    "AllowedValues",
    "AllowedPattern",
    "MinLength",
    "MaxLength",
];
const ENTRY: &str = "      \"";

/// Replaces (or adds, after `Type`) the entries of one parameter's block, and removes the
/// constraints its rule does not set (left over from another rule).
fn set_entries(text: &str, parameter: &str, entries: &[(&str, Value)]) -> Result<String, String> {
    let section = text.find(PARAMETERS).ok_or("the template has no Parameters section")? + PARAMETERS.len();
    let open = format!("    \"{parameter}\": {{\n");
    let start = section
        + text[section..]
            .find(&open)
            .ok_or_else(|| format!("no parameter {parameter}"))?
        + open.len();
    let end = start
        + text[start..]
            .find("\n    }")
            .ok_or_else(|| format!("{parameter}: unterminated"))?;
    // The block's entries, each its first line (6 spaces and a quote) and what follows it.
    let mut block: Vec<(String, String)> = Vec::new();
    for line in text[start..end].split('\n') {
        match (line.strip_prefix(ENTRY), block.last_mut()) {
            (Some(rest), _) => {
                let key = rest.split('"').next().unwrap_or_default().to_owned();
                block.push((key, line.to_owned()));
            }
            (None, Some((_, raw))) => {
                raw.push('\n');
                raw.push_str(line);
            }
            (None, None) => return Err(format!("{parameter}: unexpected layout")),
        }
    }
    block.retain(|(key, _)| !CONSTRAINT_KEYS.contains(&key.as_str()) || entries.iter().any(|(k, _)| k == key));
    for (key, value) in entries {
        let raw = format!("{ENTRY}{key}\": {}", pretty(value, 6));
        match block.iter().position(|(k, _)| k == key) {
            Some(i) => block[i].1 = raw,
            None => {
                let after = block.iter().position(|(k, _)| k == "Type").map_or(0, |i| i + 1);
                block.insert(after, ((*key).to_owned(), raw));
            }
        }
    }
    let body: Vec<&str> = block.iter().map(|(_, raw)| raw.trim_end_matches(',')).collect();
    Ok(format!("{}{}{}", &text[..start], body.join(",\n"), &text[end..]))
}

/// A value as Python's `json.dumps(indent=2, ensure_ascii=False)` writes it at `indent`.
fn pretty(value: &Value, indent: usize) -> String {
    match value {
        Value::Array(items) if !items.is_empty() => {
            let inner = " ".repeat(indent + 2);
            let items: Vec<String> = items
                .iter()
                .map(|v| format!("{inner}{}", pretty(v, indent + 2)))
                .collect();
            format!("[\n{}\n{}]", items.join(",\n"), " ".repeat(indent))
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEMPLATE: &str = r#"{
  "Parameters": {
    "Days": {
      "Type": "Number",
      "Description": "Days, \"quoted\".",
      "MinValue": 1,
      "MaxValue": 2
    },
    "Backend": {
      "Type": "String",
      "Default": "sns",
      "AllowedValues": [
        "sns"
      ]
    },
    "Flag": {
      "Type": "String",
      "AllowedPattern": "^(true|false)$",
      "MaxLength": 5
    }
  },
  "Resources": {
    "Days": {
      "Type": "AWS::Lambda::Function",
      "Properties": {
        "Environment": {
          "Variables": {
            "TEMPORARY_PASSWORD_VALIDITY_DAYS": {"Ref": "Days"},
            "SEND_ENABLED": {"Ref": "Flag"},
            "SMS_BACKEND": {"Ref": "Backend"},
            "REGION": {"Ref": "AWS::Region"}
          }
        }
      }
    }
  }
}
"#;

    #[test]
    fn constraints_are_written_in_place_and_nothing_else_changes() {
        let out = with_template_constraints(TEMPLATE).unwrap();
        let parsed: Value = serde_json::from_str(&out).unwrap();
        let days = &parsed["Parameters"]["Days"];
        let Rule::Whole { min, max } = super::super::TEMPORARY_PASSWORD_VALIDITY_DAYS.rule else {
            panic!("a whole number")
        };
        assert_eq!(
            (days["MinValue"].as_i64(), days["MaxValue"].as_i64()),
            (Some(i64::from(min)), Some(i64::from(max)))
        );
        assert_eq!(days["Description"], "Days, \"quoted\".");
        assert_eq!(
            parsed["Parameters"]["Flag"]["AllowedValues"],
            serde_json::json!(["true", "false"])
        );
        let Rule::OneOf(backends) = super::super::SMS_BACKEND.rule else {
            panic!("a choice")
        };
        assert_eq!(
            parsed["Parameters"]["Backend"]["AllowedValues"],
            serde_json::json!(backends)
        );
        assert_eq!(parsed["Parameters"]["Backend"]["Default"], "sns");
        // The Resources section (a resource shares a parameter's name) is untouched.
        assert_eq!(
            out[out.find("\"Resources\"").unwrap()..],
            TEMPLATE[TEMPLATE.find("\"Resources\"").unwrap()..]
        );
        // Another rule's constraints go; the rule's are added after Type, in the two-space
        // layout; written again, nothing changes.
        assert!(out.contains("    \"Flag\": {\n      \"Type\": \"String\",\n      \"AllowedValues\": [\n        \"true\",\n        \"false\"\n      ]\n    }"), "{out}");
        assert_eq!(with_template_constraints(&out).unwrap(), out);
    }

    #[test]
    fn a_variable_that_is_no_setting_is_refused() {
        let t = TEMPLATE.replace("SEND_ENABLED", "SEND_ENABLE");
        assert!(
            with_template_constraints(&t)
                .unwrap_err()
                .contains("SEND_ENABLE is not a setting")
        );
    }
}
