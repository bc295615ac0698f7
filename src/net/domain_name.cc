#include "net/domain_name.h"

#include <algorithm>

namespace msb::net {
namespace {

bool is_label_char(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; }

bool is_digit(char c) { return c >= '0' && c <= '9'; }

Result<void> check_label(std::string_view label, bool last) {
  if (label.empty()) return err(ErrorKind::kInvalidArgument, "empty label");
  if (label.size() > kMaxLabelBytes) {
    return err(ErrorKind::kInvalidArgument, "label of {} bytes (at most {})", label.size(),
               kMaxLabelBytes);
  }
  if (!std::all_of(label.begin(), label.end(), is_label_char)) {
    return err(ErrorKind::kInvalidArgument, "a label may hold only a-z, 0-9 and '-'");
  }
  if (label.front() == '-' || label.back() == '-')
    return err(ErrorKind::kInvalidArgument, "a label must not start or end with '-'");
  if (last && std::all_of(label.begin(), label.end(), is_digit))
    return err(ErrorKind::kInvalidArgument, "the last label must not be all digits");
  return {};
}

}  // namespace

std::string canonical_name(std::string_view name) {
  if (name.ends_with('.')) name.remove_suffix(1);
  std::string out(name);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

Result<void> check_domain(std::string_view canonical) {
  if (canonical.empty()) return err(ErrorKind::kInvalidArgument, "empty name");
  if (canonical.size() > kMaxDomainBytes) {
    return err(ErrorKind::kInvalidArgument, "name of {} bytes (at most {})", canonical.size(),
               kMaxDomainBytes);
  }
  size_t start = 0;
  while (true) {
    const size_t dot = canonical.find('.', start);
    const bool last = dot == std::string_view::npos;
    MSB_TRY(
        check_label(canonical.substr(start, last ? std::string_view::npos : dot - start), last));
    if (last) return {};
    start = dot + 1;
  }
}

size_t label_count(std::string_view canonical) {
  return canonical.empty() ? 0 : std::count(canonical.begin(), canonical.end(), '.') + 1;
}

bool is_under(std::string_view name, std::string_view suffix) {
  return name.size() > suffix.size() + 1 && name.ends_with(suffix) &&
         name[name.size() - suffix.size() - 1] == '.';
}

}  // namespace msb::net
