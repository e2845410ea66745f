// The same UDP echo through lwIP, Debian's liblwip (the shared library of
// liblwip0, headers and lwipopts.h of liblwip-dev), driven the same way: a
// netif whose linkoutput records the transmitted frame, frames handed to
// ethernet_input by hand, and lwIP's raw-API echo (contrib's udpecho_raw:
// udp_recv, then udp_sendto of the received pbuf and pbuf_free).
//
// Debian builds lwIP with NO_SYS=0 and the unix sys_arch (pthreads), but its
// core runs in a plain process: lwip_init() without tcpip_init() starts no
// thread, the core-locking check passes while no tcpip thread exists, and
// no timer runs unless called, so ARP entries do not age during the run.
// Built and run under callgrind by bench/udp_echo/run.sh.
#include <cstddef>
#include <cstdio>
#include <span>
#include <string_view>

extern "C" {
#include <lwip/etharp.h>
#include <lwip/init.h>
#include <lwip/ip4_addr.h>
#include <lwip/netif.h>
#include <lwip/pbuf.h>
#include <lwip/udp.h>
#include <netif/ethernet.h>
}

#include "echo_bench.hpp"

namespace {

netif interface{};

// The driver's transmit: copy the frame into the recorder (a transmit ring).
err_t link_output(struct netif*, struct pbuf* p) {
  auto const slot = echo_bench::transmitted.slot();
  u16_t const n = p->tot_len < slot.size() ? p->tot_len : static_cast<u16_t>(slot.size());
  pbuf_copy_partial(p, slot.data(), n, 0);
  echo_bench::transmitted.commit(p->tot_len);
  return ERR_OK;
}

err_t interface_init(struct netif* n) {
  n->name[0] = 'e';
  n->name[1] = 'b';
  n->hwaddr_len = ETH_HWADDR_LEN;
  for (std::size_t i = 0; i < ETH_HWADDR_LEN; ++i) n->hwaddr[i] = echo_bench::server_mac[i];
  n->mtu = 1500;
  n->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET;
  n->output = etharp_output;
  n->linkoutput = link_output;
  return ERR_OK;
}

// contrib/apps/udpecho_raw: send the received pbuf back, then free it.
void echo_recv(void*, struct udp_pcb* pcb, struct pbuf* p, ip_addr_t const* addr, u16_t port) {
  if (p == nullptr) return;
  udp_sendto(pcb, p, addr, port);
  pbuf_free(p);
}

struct lwip_stack {
  // The driver's receive: a pbuf, the frame copied in, then netif->input
  // (ethernet_input), which runs the stack to completion. PBUF_RAM, not the
  // PBUF_POOL of lwIP's driver template: in Debian's build memp.c sizes a
  // pool pbuf for 592 bytes of data (memp_PBUF_POOL = 616) while pbuf.c fills
  // up to 1536, so a frame over 592 bytes overruns the heap block (memcheck
  // shows it in pbuf_take). With MEMP_MEM_MALLOC both kinds are one malloc.
  static void deliver(std::span<std::byte const> frame) {
    pbuf* const p = pbuf_alloc(PBUF_RAW, static_cast<u16_t>(frame.size()), PBUF_RAM);
    if (p == nullptr) return;  // counted as no echo by the harness
    pbuf_take(p, frame.data(), static_cast<u16_t>(frame.size()));
    if (interface.input(p, &interface) != ERR_OK) pbuf_free(p);
  }
};

// What the headers say this lwIP is (run.sh prints it beside the numbers).
// lwipopts.h is Debian's; the library's memp.c disagrees with it on the pool
// pbuf size (see deliver), so it is the build's intent, not proof.
void describe() {
  std::printf("lwIP %s; lwipopts.h: NO_SYS=%d LWIP_TCPIP_CORE_LOCKING=%d MEM_LIBC_MALLOC=%d MEMP_MEM_MALLOC=%d "
              "LWIP_STATS=%d LWIP_IPV6=%d LWIP_RAW=%d LWIP_IGMP=%d IP_FORWARD=%d LWIP_CHECKSUM_ON_COPY=%d "
              "CHECKSUM_CHECK_UDP=%d CHECKSUM_GEN_UDP=%d\n",
              LWIP_VERSION_STRING, NO_SYS, LWIP_TCPIP_CORE_LOCKING, MEM_LIBC_MALLOC, MEMP_MEM_MALLOC, LWIP_STATS,
              LWIP_IPV6, LWIP_RAW, LWIP_IGMP, IP_FORWARD, LWIP_CHECKSUM_ON_COPY, CHECKSUM_CHECK_UDP, CHECKSUM_GEN_UDP);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && std::string_view{argv[1]} == "--about") {
    describe();
    return 0;
  }
  auto const options = echo_bench::parse_options(argc, argv);
  lwip_init();
  ip4_addr_t address, netmask, gateway;
  IP4_ADDR(&address, 10, 0, 0, 2);
  IP4_ADDR(&netmask, 255, 255, 255, 0);
  IP4_ADDR(&gateway, 10, 0, 0, 1);
  echo_bench::transmitted.reset(4);
  if (netif_add(&interface, &address, &netmask, &gateway, nullptr, interface_init, ethernet_input) == nullptr) {
    std::fprintf(stderr, "lwip: netif_add failed\n");
    return 1;
  }
  netif_set_default(&interface);
  netif_set_up(&interface);
  netif_set_link_up(&interface);  // announces itself (gratuitous ARP), dropped with the next reset

  udp_pcb* const pcb = udp_new_ip_type(IPADDR_TYPE_V4);
  if (pcb == nullptr || udp_bind(pcb, IP4_ADDR_ANY, echo_bench::echo_port) != ERR_OK) {
    std::fprintf(stderr, "lwip: cannot bind UDP port %u\n", unsigned{echo_bench::echo_port});
    return 1;
  }
  udp_recv(pcb, echo_recv, nullptr);

  lwip_stack stack;
  return echo_bench::run(stack, "lwip", options);
}
