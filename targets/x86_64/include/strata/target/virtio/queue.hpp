// A virtio split virtqueue, driver side (virtio 1.0, section 2.4): the
// descriptor table, the available ring (driver -> device) and the used ring
// (device -> driver), in static memory of the image. Addresses given to the
// device are the objects' own: the image is identity mapped.
//
// The driver owns every descriptor; a queue of Size entries keeps descriptor
// i bound to buffer i for its whole life, so recycling a buffer is putting
// its index back on the available ring. No free list, no chaining.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include <strata/target/x86_64/hw.hpp>

namespace strata::target::virtio {

inline constexpr std::uint16_t desc_f_write = 2;          // the device writes this buffer
inline constexpr std::uint16_t used_f_no_notify = 1;      // the device asks not to be kicked

struct descriptor {
  std::uint64_t addr;
  std::uint32_t len;
  std::uint16_t flags;
  std::uint16_t next;
};
static_assert(sizeof(descriptor) == 16);

struct used_element {
  std::uint32_t id;   // head descriptor of the buffer
  std::uint32_t len;  // bytes the device wrote into it
};
static_assert(sizeof(used_element) == 8);

template <std::uint16_t Size>
struct queue_memory {
  static_assert(Size != 0 && (Size & (Size - 1)) == 0, "strata: a virtqueue's size is a power of two");
  // The alignments are the spec's minimums (16, 2 and 4); the page
  // alignment of the table keeps the three parts in a few pages.
  alignas(4096) descriptor desc[Size];
  struct {
    std::uint16_t flags;
    std::uint16_t idx;
    std::uint16_t ring[Size];
    std::uint16_t used_event;
  } avail;
  alignas(4) struct {
    std::uint16_t flags;
    std::uint16_t idx;
    used_element ring[Size];
    std::uint16_t avail_event;
  } used;
};

// Where a queue lives as the device sees it (virtio_transport::setup_queue).
struct queue_addresses {
  std::uint64_t desc, avail, used;
};

template <std::uint16_t Size>
class virtqueue {
 public:
  static constexpr std::uint16_t size = Size;

  queue_addresses addresses() const noexcept {
    return {reinterpret_cast<std::uint64_t>(&m_.desc[0]), reinterpret_cast<std::uint64_t>(&m_.avail),
            reinterpret_cast<std::uint64_t>(&m_.used)};
  }

  // Binds descriptor i to a buffer once, at set-up.
  void bind(std::uint16_t i, void const* buffer, std::uint32_t len, std::uint16_t flags) noexcept {
    m_.desc[i] = {reinterpret_cast<std::uint64_t>(buffer), len, flags, 0};
  }
  void set_length(std::uint16_t i, std::uint32_t len) noexcept { m_.desc[i].len = len; }

  // Offers buffer i to the device; the device sees it once publish() runs.
  void offer(std::uint16_t i) noexcept {
    m_.avail.ring[avail_idx_ % Size] = i;
    ++avail_idx_;
  }
  // Makes what offer() added visible: the ring entries before the index.
  void publish() noexcept {
    x86_64::compiler_fence();
    *static_cast<std::uint16_t volatile*>(&m_.avail.idx) = avail_idx_;
  }
  // Whether the device wants a notification for what was published (it may
  // have said it is busy processing anyway).
  bool wants_notification() const noexcept {
    x86_64::full_fence();  // the index store before the flags load
    return (*static_cast<std::uint16_t const volatile*>(&m_.used.flags) & used_f_no_notify) == 0;
  }

  // The next buffer the device has finished with, if any.
  std::optional<used_element> take() noexcept {
    if (!has_used()) return std::nullopt;
    x86_64::compiler_fence();  // the entry after the index
    used_element const e = m_.used.ring[last_used_ % Size];
    ++last_used_;
    return e;
  }
  bool has_used() const noexcept {
    return *static_cast<std::uint16_t const volatile*>(&m_.used.idx) != last_used_;
  }
  // Buffers offered and not yet returned.
  std::uint16_t in_flight() const noexcept { return static_cast<std::uint16_t>(avail_idx_ - last_used_); }

 private:
  queue_memory<Size> m_{};
  std::uint16_t avail_idx_ = 0;
  std::uint16_t last_used_ = 0;
};

}  // namespace strata::target::virtio
