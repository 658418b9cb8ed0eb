// Whether two lists hold the same items in the same order. Use it instead of
// QList's operator== for lists of plain numbers: in Qt 6.4 that operator
// hands memcmp a null pointer when one of two empty lists never allocated,
// which is undefined behaviour (UBSan stops the sanitizer build on it).
#pragma once

#include <algorithm>

namespace understudy::ui {

template <class List>
bool sameItems(const List& a, const List& b) {
  return a.size() == b.size() && std::equal(a.cbegin(), a.cend(), b.cbegin());
}

}  // namespace understudy::ui
