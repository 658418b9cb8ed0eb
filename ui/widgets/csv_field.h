// One CSV field as RFC 4180 writes it: a field holding a comma, a quote or a
// line break (\n or \r) is put in quotes, with its quotes doubled; any other
// field is written as it is. The charts' and the comparison's CSV exports
// both write their fields through it.
#pragma once

#include <QString>

namespace understudy::ui {

inline QString csvField(const QString& text) {
  if (!text.contains(QLatin1Char(',')) && !text.contains(QLatin1Char('"')) &&
      !text.contains(QLatin1Char('\n')) && !text.contains(QLatin1Char('\r')))
    return text;
  return QLatin1Char('"') + QString(text).replace(QLatin1Char('"'), QStringLiteral("\"\"")) +
         QLatin1Char('"');
}

}  // namespace understudy::ui
