// Config field tables: every key of a config struct declared once.
//
// A FieldTable<Owner> lists a struct's YAML keys in their canonical order.
// Each entry has the key (one dotted-path segment), where its value lives (a
// member, or a custom reader and writer), one line of help and the allowed
// range (numbers: bounds with open or closed ends; strings: a set of
// choices). The default is whatever a default-constructed Owner holds. From
// the one table come:
//
//   - read():     strict reading from a YamlSection (an unknown key names the
//                 key and its line, a wrong type too);
//   - toYaml():   canonical YAML, every key in the table's order;
//   - validate(): range checks, one message format (rangeError below), then
//                 the table's cross-field rules (code, same error helper);
//   - keys():     the flat key reference (key, default, range, help) for
//                 docs, --help text, `config keys` and the wizard's forms;
//   - --set KEY=VALUE overrides (applyOverrides), checked against keys().
//
//   struct Bptt { std::string mode = "full"; int chunk = 40; };
//   const FieldTable<Bptt>& bpttFields() {
//     static const auto table = FieldTable<Bptt>()
//         .field("mode", &Bptt::mode, "full or truncated BPTT", Range::oneOf({"full", "chunked"}))
//         .field("chunk", &Bptt::chunk, "model frames per chunk", Range::atLeast(1));
//     return table;
//   }
//   bpttFields().read(section, cfg);                  // then section.finish()
//   bpttFields().validate(cfg, Scope("trainer", "bptt"));
//   std::string yaml = bpttFields().toYaml(cfg);      // "mode: full\nchunk: 40\n"
//
// Nesting: section() puts a member struct's table under a key, group() puts
// some of the owner's own members under a key (validation: {every, ...}),
// members() splices a member struct's keys in at the current level.
#pragma once

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/util/error.h"
#include "core/util/yaml_config.h"

namespace understudy::recipe {

// What a key may hold: numeric bounds (each optional, open or closed) or a
// set of choices for strings, plus an optional note ("0 = off").
class Range {
 public:
  static Range any() { return Range(); }
  static Range atLeast(double lo) { return bounds(lo, false, std::nullopt, false); }  // >= lo
  static Range above(double lo) { return bounds(lo, true, std::nullopt, false); }     // > lo
  static Range below(double hi) { return bounds(std::nullopt, false, hi, true); }     // < hi
  static Range closed(double lo, double hi) { return bounds(lo, false, hi, false); }  // [lo, hi]
  static Range closedOpen(double lo, double hi) { return bounds(lo, false, hi, true); }  // [lo, hi)
  static Range openClosed(double lo, double hi) { return bounds(lo, true, hi, false); }  // (lo, hi]
  static Range open(double lo, double hi) { return bounds(lo, true, hi, true); }         // (lo, hi)
  static Range oneOf(std::vector<std::string> choices);                                  // a | b | c
  Range note(std::string text) const;  // appended in parentheses: ">= 0 (0 = off)"

  bool bounded() const { return m_lo || m_hi; }
  const std::vector<std::string>& choices() const { return m_choices; }
  // Numbers: within the bounds and finite (a NaN or an infinity is never in range).
  bool contains(double value) const;
  bool contains(const std::string& value) const;  // in the choices, or no choices
  // "[0, 1)", ">= 1", "(0, 100]", "lstm | blstm", with the note; "" for any().
  std::string text() const;

 private:
  static Range bounds(std::optional<double> lo, bool loOpen, std::optional<double> hi, bool hiOpen);
  std::optional<double> m_lo, m_hi;
  bool m_loOpen = false, m_hiOpen = false;
  std::vector<std::string> m_choices;
  std::string m_note;
};

// The one range error: "<owner> option <key> = <value> is out of range
// (allowed: <range>)", keyed by the dotted key so that a YamlSection can
// point at its line (throwAtKeyLine).
Error rangeError(const std::string& owner, const std::string& key, const std::string& value,
                 const std::string& allowed);

// Whose option a key is ("trainer", "acoustic model") and where the table
// sits in the document ("distribution.gtc"): errors name the whole key.
class Scope {
 public:
  explicit Scope(std::string owner, std::string prefix = "")
      : m_owner(std::move(owner)), m_prefix(std::move(prefix)) {}
  Scope child(const std::string& key) const { return Scope(m_owner, this->key(key)); }
  std::string key(const std::string& k) const { return m_prefix.empty() ? k : m_prefix + "." + k; }
  const std::string& owner() const { return m_owner; }
  // rangeError for `key` under this scope.
  Error outOfRange(const std::string& key, const std::string& value, const std::string& allowed) const {
    return rangeError(m_owner, this->key(key), value, allowed);
  }
  template <typename T, typename = std::enable_if_t<!std::is_convertible_v<T, std::string>>>
  Error outOfRange(const std::string& key, const T& value, const std::string& allowed) const {
    return outOfRange(key, fmt::format("{}", value), allowed);
  }

 private:
  std::string m_owner;
  std::string m_prefix;
};

// One row of the key reference: dotted key, default (as toYaml writes it),
// allowed range and help.
struct KeyInfo {
  std::string key;
  std::string defaultValue;
  std::string range;
  std::string help;
};

// Values as toYaml writes them: strings as they are, lists "[a, b]", numbers
// in their shortest exact form (fmt "{}"), bools true/false.
template <typename T>
std::string yamlValue(const T& v) {
  return fmt::format("{}", v);
}
inline std::string yamlValue(const std::string& v) { return v; }
std::string yamlValue(const std::vector<std::string>& items);

// `e` (an Error naming a dotted key, relative to s's document or qualified
// with s.path()) thrown again with s's file and, where s has the key, its line.
[[noreturn]] void throwAtKeyLine(const YamlSection& s, const Error& e);

// Runs `validate` and points any Error it throws at its key's line in `s`.
template <typename Validate>
void validateAt(const YamlSection& s, Validate&& validate) {
  try {
    validate();
  } catch (const Error& e) {
    throwAtKeyLine(s, e);
  }
}

// --set KEY=VALUE overrides on a document before it is read: each KEY must be
// one of `keys` (a table's keys()); VALUE is YAML ("0.01", "[a, b]", "''").
// The overridden keys then read, validate and are written exactly as if the
// file held them.
void applyOverrides(YAML::Node& root, const std::vector<std::string>& overrides,
                    const std::vector<KeyInfo>& keys);
// An error from reading a document with overrides: when it names an
// overridden key, it names the --set instead of the file and line.
Error blameOverride(const Error& e, const std::vector<std::string>& overrides);

template <typename Owner>
class FieldTable {
 public:
  using ReadFn = std::function<void(YamlSection&, Owner&)>;
  using ValueFn = std::function<std::optional<std::string>(const Owner&)>;
  using RuleFn = std::function<void(const Owner&, const Scope&)>;

  // A member holding a plain value (string, bool, integer, double, list of strings).
  template <typename T>
  FieldTable& field(std::string key, T Owner::*member, std::string help, Range range = Range::any()) {
    Entry e;
    e.key = key;
    e.help = std::move(help);
    e.range = range;
    e.read = [key, member](YamlSection& s, Owner& o) { s.read(key, o.*member); };
    e.value = [member](const Owner& o) { return std::optional<std::string>(yamlValue(o.*member)); };
    e.check = [key, member, range](const Owner& o, const Scope& scope) {
      if constexpr (std::is_arithmetic_v<T> && !std::is_same_v<T, bool>) {
        if (range.bounded() && !range.contains(static_cast<double>(o.*member)))
          throw scope.outOfRange(key, yamlValue(o.*member), range.text());
      } else if constexpr (std::is_same_v<T, std::string>) {
        if (!range.contains(o.*member)) throw scope.outOfRange(key, shown(o.*member), range.text());
      }
    };
    m_entries.push_back(std::move(e));
    return *this;
  }

  // A value with its own reader (parsing, errors at its line) and writer
  // (nullopt: the key is left out, e.g. an unset preset). `allowed` documents
  // the range; rule() checks it.
  FieldTable& custom(std::string key, std::string help, std::string allowed, ReadFn read, ValueFn value) {
    Entry e;
    e.key = std::move(key);
    e.help = std::move(help);
    e.allowedText = std::move(allowed);
    e.read = std::move(read);
    e.value = std::move(value);
    m_entries.push_back(std::move(e));
    return *this;
  }

  // The last entry's value is written in single quotes ('' for empty).
  FieldTable& quoted() {
    auto value = m_entries.back().value;
    m_entries.back().value = [value](const Owner& o) {
      auto v = value(o);
      return v ? std::optional<std::string>("'" + *v + "'") : v;
    };
    return *this;
  }
  // A hint added to the last entry's range errors.
  FieldTable& hint(std::string text) {
    auto check = m_entries.back().check;
    m_entries.back().check = [check, text](const Owner& o, const Scope& scope) {
      try {
        if (check) check(o, scope);
      } catch (Error& e) {
        if (e.hintText().empty()) e.hint(text);
        throw;
      }
    };
    return *this;
  }

  // A member struct under `key`, read, written and checked by its own table.
  template <typename Sub>
  FieldTable& section(std::string key, Sub Owner::*member, const FieldTable<Sub>& table, std::string help) {
    auto sub = std::make_shared<const FieldTable<Sub>>(table);
    Entry e = sectionEntry(
        std::move(key), std::move(help),
        [sub, member](YamlSection& s, Owner& o) { sub->readEntries(s, o.*member); },
        [sub, member](const Owner& o, const std::string& indent) { return sub->toYaml(o.*member, indent); },
        [sub, member](const Owner& o, const Scope& scope) { sub->validate(o.*member, scope); },
        [sub, member](const Owner& o, const std::string& prefix, std::vector<KeyInfo>& out) {
          sub->describe(o.*member, prefix, out);
        });
    m_entries.push_back(std::move(e));
    return *this;
  }

  // Some of the owner's own members under `key` (a section in the file, not in the struct).
  FieldTable& group(std::string key, const FieldTable<Owner>& table, std::string help) {
    auto sub = std::make_shared<const FieldTable<Owner>>(table);
    Entry e = sectionEntry(
        std::move(key), std::move(help), [sub](YamlSection& s, Owner& o) { sub->readEntries(s, o); },
        [sub](const Owner& o, const std::string& indent) { return sub->toYaml(o, indent); },
        [sub](const Owner& o, const Scope& scope) { sub->validate(o, scope); },
        [sub](const Owner& o, const std::string& prefix, std::vector<KeyInfo>& out) {
          sub->describe(o, prefix, out);
        });
    m_entries.push_back(std::move(e));
    return *this;
  }

  // A member struct's keys spliced in at this level (its table's rules too).
  template <typename Sub>
  FieldTable& members(Sub Owner::*member, const FieldTable<Sub>& table) {
    auto sub = std::make_shared<const FieldTable<Sub>>(table);
    Entry e;
    e.read = [sub, member](YamlSection& s, Owner& o) { sub->readEntries(s, o.*member); };
    e.lines = [sub, member](const Owner& o, const std::string& indent) { return sub->toYaml(o.*member, indent); };
    e.check = [sub, member](const Owner& o, const Scope& scope) { sub->validate(o.*member, scope); };
    e.describe = [sub, member](const Owner& o, const std::string& prefix, std::vector<KeyInfo>& out) {
      sub->describe(o.*member, prefix, out);
    };
    m_entries.push_back(std::move(e));
    return *this;
  }

  // A cross-field rule, checked after every key's range; throws with scope.outOfRange.
  FieldTable& rule(RuleFn check) {
    m_rules.push_back(std::move(check));
    return *this;
  }

  // Reads every key present (absent keys keep their values), then refuses
  // keys the table does not have.
  void read(YamlSection& s, Owner& o) const {
    readEntries(s, o);
    s.finish();
  }
  std::string toYaml(const Owner& o, const std::string& indent = "") const {
    std::string out;
    for (const Entry& e : m_entries) {
      if (e.lines) {
        out += e.lines(o, indent);
      } else if (auto v = e.value(o)) {
        out += indent + e.key + ": " + *v + "\n";
      }
    }
    return out;
  }
  void validate(const Owner& o, const Scope& scope) const {
    for (const Entry& e : m_entries)
      if (e.check) e.check(o, e.isSection ? scope.child(e.key) : scope);
    for (const RuleFn& r : m_rules) r(o, scope);
  }
  // Every key (sections flattened to dotted keys) with its default.
  std::vector<KeyInfo> keys(const std::string& prefix = "") const {
    std::vector<KeyInfo> out;
    describe(Owner{}, prefix, out);
    return out;
  }

  // The building blocks of read(), keys() (public for nested tables of other owners).
  void readEntries(YamlSection& s, Owner& o) const {
    for (const Entry& e : m_entries) {
      if (e.isSection) {
        YamlSection child = s.child(e.key);
        e.read(child, o);
        child.finish();
      } else {
        e.read(s, o);
        if (!e.key.empty()) s.accept(e.key);
      }
    }
  }
  void describe(const Owner& o, const std::string& prefix, std::vector<KeyInfo>& out) const {
    for (const Entry& e : m_entries) {
      const std::string key = prefix.empty() ? e.key : (e.key.empty() ? prefix : prefix + "." + e.key);
      if (e.describe) {
        e.describe(o, key, out);
      } else {
        const auto v = e.value(o);
        out.push_back({key, v ? *v : std::string(), e.allowedText.empty() ? e.range.text() : e.allowedText,
                       e.help});
      }
    }
  }

 private:
  struct Entry {
    std::string key;  // "" for members()
    std::string help;
    Range range;
    std::string allowedText;  // custom(): the range as documented
    bool isSection = false;
    ReadFn read;
    ValueFn value;  // plain entries: the value's text
    std::function<std::string(const Owner&, const std::string&)> lines;  // sections: whole lines
    RuleFn check;
    std::function<void(const Owner&, const std::string&, std::vector<KeyInfo>&)> describe;
  };

  template <typename Read, typename Lines, typename Check, typename Describe>
  static Entry sectionEntry(std::string key, std::string help, Read read, Lines lines, Check check,
                            Describe describe) {
    Entry e;
    e.key = key;
    e.help = std::move(help);
    e.isSection = true;
    e.read = std::move(read);
    e.lines = [key, lines](const Owner& o, const std::string& indent) {
      return indent + key + ":\n" + lines(o, indent + "  ");
    };
    e.check = std::move(check);
    e.describe = std::move(describe);
    return e;
  }

  static std::string shown(const std::string& v) { return v.empty() ? "''" : v; }

  std::vector<Entry> m_entries;
  std::vector<RuleFn> m_rules;
};

}  // namespace understudy::recipe
