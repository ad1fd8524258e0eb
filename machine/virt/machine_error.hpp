// A configuration or file problem the user must fix; main prints it and
// exits with status 1.
#pragma once
#include <stdexcept>

namespace kestrel {

class MachineError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

} // namespace kestrel
