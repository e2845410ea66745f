/* The null image: the smallest PVH-bootable ELF, used by bench/boot.sh as
 * QEMU's floor. QEMU's PVH loader enters null_entry in 32-bit protected mode
 * (paging off); the image writes one byte ('N') to COM1 so that "launch ->
 * first serial byte" can be measured for it as for a real image, then writes
 * 0 to isa-debug-exit (port 0xf4), which ends QEMU with status (0<<1)|1 = 1.
 * No stack, no page tables, no long mode: the two port writes are the whole
 * guest. No multiboot header (QEMU would try multiboot first and refuse a
 * 64-bit ELF). Built by bench/boot.sh with as/ld and null.ld. */

        .section .text.null_entry, "ax", @progbits
        .code32
        .globl null_entry
null_entry:
        movw    $0x3f8, %dx             /* COM1 data register */
        movb    $'N', %al
        outb    %al, %dx                /* the first (and only) serial byte */
        xorl    %eax, %eax
        outb    %al, $0xf4              /* isa-debug-exit: exit code 0 */
1:      hlt                             /* not reached */
        jmp     1b

/* XEN_ELFNOTE_PHYS32_ENTRY (type 18): the 32-bit physical entry address.
 * The descriptor is 8 bytes, as in Linux's 64-bit kernel: QEMU 7.2 reads a
 * size_t there for an ELFCLASS64 file. The note must be 4-aligned: QEMU
 * aligns the name size up to the PT_NOTE segment's p_align. */
        .section .note.Xen, "a", @note
        .p2align 2
        .long   4                       /* namesz: "Xen\0" */
        .long   8                       /* descsz */
        .long   18                      /* type: XEN_ELFNOTE_PHYS32_ENTRY */
        .asciz  "Xen"
        .p2align 2
        .quad   null_entry

        .section .note.GNU-stack, "", @progbits
