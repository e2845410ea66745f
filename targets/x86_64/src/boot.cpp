// PVH entry, 32->64-bit trampoline and interrupt stubs.
//
// Written as file-scope asm in a C++ file so that an image needs no ASM
// language in CMake: the same compiler (g++ or clang++) assembles it.
//
// QEMU finds the entry through the .note.Xen ELF note (XEN_ELFNOTE_PHYS32_ENTRY)
// and jumps to it in 32-bit protected mode, paging off, flat segments,
// interrupts off, %ebx = physical address of the hvm_start_info structure.
// The image must NOT also carry a multiboot header (QEMU would try that first
// and refuse a 64-bit ELF).
//
// Steps: record the TSC, take the boot stack, zero .bss, check the CPU has what
// the image was compiled for (x86-64-v3 + AES + PCLMUL + NX), identity-map the
// first 1 GiB with 2 MiB pages (temporary tables in .bss), enable PAE, EFER.LME
// and EFER.NXE, paging (+ CR0.WP), load the 64-bit GDT, far-jump to 64-bit
// code, enable SSE/AVX (CR0.EM=0 MP=1, CR4.OSFXSR|OSXMMEXCPT|OSXSAVE, XCR0 =
// x87|SSE|AVX), seed the stack-protector guard (RDRAND, else a TSC hash) and
// call strata_x86_64_boot(start_info) in start.cpp.
//
// .bss is zeroed here rather than in C++ because the temporary page tables and
// the stack-protector guard live in .bss and must survive the switch to C++.
// Large buffers that need no zeroing (page-table pool, IDT, IST stacks, heap
// arena) are in .bss.noinit, which is not cleared.

// clang-format off
asm(R"(
  .pushsection .note.Xen, "a", @note
  .p2align 2
  .long 4                       /* namesz: "Xen\0" */
  .long 4                       /* descsz */
  .long 18                      /* XEN_ELFNOTE_PHYS32_ENTRY */
  .asciz "Xen"
  .p2align 2
  .long strata_pvh_entry        /* 32-bit physical entry */
  .p2align 2
  .popsection

  .pushsection .bss.strata_boot_tables, "aw", @nobits
  .p2align 12
strata_boot_pml4: .skip 4096
strata_boot_pdpt: .skip 4096
strata_boot_pd:   .skip 4096
  .p2align 3
  .globl strata_x86_64_boot_tsc
strata_x86_64_boot_tsc: .skip 8
  .globl strata_x86_64_start_info
strata_x86_64_start_info: .skip 8
  .popsection

  .pushsection .data.strata_gdt, "aw", @progbits
  .p2align 4
  .globl strata_x86_64_gdt
strata_x86_64_gdt:
  .quad 0                       /* 0x00 null */
  .quad 0x00af9a000000ffff      /* 0x08 64-bit code, DPL 0 */
  .quad 0x00cf92000000ffff      /* 0x10 data, DPL 0 */
  .quad 0, 0                    /* 0x18 TSS, filled in by start.cpp */
strata_x86_64_gdt_end:
  .p2align 3
  .globl strata_x86_64_gdt_ptr
strata_x86_64_gdt_ptr:
  .word strata_x86_64_gdt_end - strata_x86_64_gdt - 1
  .quad strata_x86_64_gdt
  .popsection

  .pushsection .rodata.strata_boot, "a", @progbits
strata_boot_cpu_msg:
  .ascii "strata: this image needs an x86-64-v3 CPU with AES, PCLMUL and NX"
  .asciz " (QEMU: -cpu max)\n"
  .popsection

  .pushsection .text.strata_boot, "ax", @progbits
  .code32
  .globl strata_pvh_entry
  .type strata_pvh_entry, @function
strata_pvh_entry:
  cli
  cld
  mov $__stack_top, %esp
  mov %ebx, %esi                /* hvm_start_info */
  rdtsc
  push %edx
  push %eax

  /* Zero .bss (also clears the temporary page tables), 32 bytes a turn:
     under QEMU TCG `rep stos` costs ~3 ns a byte, this loop ~0.4. */
  mov $__bss_start, %edi
  mov $__bss_end, %ecx
  xor %eax, %eax
  jmp 2f
1:
  mov %eax, (%edi)
  mov %eax, 4(%edi)
  mov %eax, 8(%edi)
  mov %eax, 12(%edi)
  mov %eax, 16(%edi)
  mov %eax, 20(%edi)
  mov %eax, 24(%edi)
  mov %eax, 28(%edi)
  add $32, %edi
2:
  cmp %ecx, %edi
  jb 1b
  pop %eax
  pop %edx
  mov %eax, strata_x86_64_boot_tsc
  mov %edx, strata_x86_64_boot_tsc + 4
  mov %esi, strata_x86_64_start_info

  /* CPU features the compiled code relies on (-march=x86-64-v3 -maes -mpclmul). */
  xor %eax, %eax
  cpuid
  cmp $7, %eax
  jb .Lno_cpu
  mov $0x80000000, %eax
  cpuid
  cmp $0x80000001, %eax
  jb .Lno_cpu
  mov $0x80000001, %eax
  cpuid
  and $((1 << 29) | (1 << 20)), %edx                      /* LM, NX */
  cmp $((1 << 29) | (1 << 20)), %edx
  jne .Lno_cpu
  and $((1 << 0) | (1 << 5)), %ecx                        /* LAHF, LZCNT */
  cmp $((1 << 0) | (1 << 5)), %ecx
  jne .Lno_cpu
  mov $1, %eax
  cpuid
  and $((1 << 4) | (1 << 5) | (1 << 6) | (1 << 8) | (1 << 15) | (1 << 24) | (1 << 25) | (1 << 26)), %edx
  cmp $((1 << 4) | (1 << 5) | (1 << 6) | (1 << 8) | (1 << 15) | (1 << 24) | (1 << 25) | (1 << 26)), %edx
  jne .Lno_cpu                  /* TSC MSR PAE CX8 CMOV FXSR SSE SSE2 */
  and $((1 << 0) | (1 << 1) | (1 << 9) | (1 << 12) | (1 << 13) | (1 << 19) | (1 << 20) | (1 << 22) | (1 << 23) | (1 << 25) | (1 << 26) | (1 << 28) | (1 << 29)), %ecx
  cmp $((1 << 0) | (1 << 1) | (1 << 9) | (1 << 12) | (1 << 13) | (1 << 19) | (1 << 20) | (1 << 22) | (1 << 23) | (1 << 25) | (1 << 26) | (1 << 28) | (1 << 29)), %ecx
  jne .Lno_cpu                  /* SSE3 PCLMUL SSSE3 FMA CX16 SSE4.1 SSE4.2 MOVBE POPCNT AES XSAVE AVX F16C */
  mov $7, %eax
  xor %ecx, %ecx
  cpuid
  and $((1 << 3) | (1 << 5) | (1 << 8)), %ebx             /* BMI1 AVX2 BMI2 */
  cmp $((1 << 3) | (1 << 5) | (1 << 8)), %ebx
  jne .Lno_cpu

  /* Temporary tables: identity map [0, 1 GiB) with 2 MiB pages. */
  mov $strata_boot_pd, %edi
  mov $0x83, %eax               /* present, writable, 2 MiB page */
  mov $512, %ecx
1:
  mov %eax, (%edi)
  add $0x200000, %eax
  add $8, %edi
  dec %ecx
  jnz 1b
  movl $strata_boot_pd + 3, strata_boot_pdpt
  movl $strata_boot_pdpt + 3, strata_boot_pml4
  mov $strata_boot_pml4, %eax
  mov %eax, %cr3

  mov %cr4, %eax
  or $(1 << 5), %eax            /* PAE */
  mov %eax, %cr4
  mov $0xc0000080, %ecx         /* EFER */
  rdmsr
  or $((1 << 8) | (1 << 11)), %eax  /* LME, NXE */
  wrmsr
  mov %cr0, %eax
  or $((1 << 31) | (1 << 16) | (1 << 0)), %eax  /* PG, WP, PE */
  mov %eax, %cr0

  lgdt strata_x86_64_gdt_ptr
  ljmp $0x08, $.Llong_mode

.Lno_cpu:
  mov $strata_boot_cpu_msg, %esi
2:
  movb (%esi), %bl
  test %bl, %bl
  jz 4f
3:
  mov $0x3fd, %dx               /* COM1 LSR: wait for THR empty */
  inb %dx, %al
  test $0x20, %al
  jz 3b
  mov $0x3f8, %dx
  mov %bl, %al
  outb %al, %dx
  inc %esi
  jmp 2b
4:
  mov $70, %al                  /* isa-debug-exit: QEMU exits 141 */
  outb %al, $0xf4
5:
  cli
  hlt
  jmp 5b

  .code64
.Llong_mode:
  mov $0x10, %eax
  mov %eax, %ds
  mov %eax, %es
  mov %eax, %ss
  xor %eax, %eax
  mov %eax, %fs
  mov %eax, %gs
  lea __stack_top(%rip), %rsp

  /* SSE: CR0.EM = 0, CR0.TS = 0, CR0.MP = 1; CR4.OSFXSR | OSXMMEXCPT | OSXSAVE. */
  mov %cr0, %rax
  and $~((1 << 2) | (1 << 3)), %rax
  or $(1 << 1), %rax
  mov %rax, %cr0
  mov %cr4, %rax
  or $((1 << 9) | (1 << 10) | (1 << 18)), %rax
  mov %rax, %cr4
  /* XCR0 = x87 | SSE | AVX (XSAVE and AVX were checked above). */
  xor %ecx, %ecx
  xor %edx, %edx
  mov $7, %eax
  xsetbv
  fninit

  /* Stack-protector guard: RDRAND when present, else a hash of the TSC. */
  mov $1, %eax
  cpuid
  bt $30, %ecx
  jnc 7f
  mov $32, %r8d
6:
  rdrand %rax
  jc 8f
  dec %r8d
  jnz 6b
7:
  rdtsc
  shl $32, %rdx
  or %rdx, %rax
  movabs $0x9e3779b97f4a7c15, %rdx
  imul %rdx, %rax
8:
  xor %al, %al                  /* a zero byte stops string overruns */
  mov %rax, __stack_chk_guard(%rip)

  xor %ebp, %ebp                /* ends the frame-pointer chain */
  mov strata_x86_64_start_info(%rip), %edi
  call strata_x86_64_boot
9:
  cli
  hlt
  jmp 9b
  .size strata_pvh_entry, . - strata_pvh_entry
  .popsection
)");

// Interrupt stubs. Exceptions 0-31: one 16-byte stub each (entry i at
// strata_x86_64_isr_stubs + 16 * i) that pushes a zero error code when the CPU
// does not push one, then the vector number, and jumps to
// strata_x86_64_exc_common, which saves all general registers and calls
// strata_x86_64_exception() in start.cpp (it never returns).
// Vectors 32-239 (LAPIC timer, device vectors) share strata_x86_64_irq_eoi:
// LAPIC EOI, iretq. Vectors 240-255 (8259 range, masked; LAPIC spurious 0xff)
// share strata_x86_64_irq_ignore: iretq. Both exist only to wake `hlt`.
asm(R"(
  .pushsection .text.strata_isr, "ax", @progbits
  .p2align 4
  .globl strata_x86_64_isr_stubs
  .type strata_x86_64_isr_stubs, @function
strata_x86_64_isr_stubs:
  .set strata_vec, 0
  .rept 32
  .p2align 4, 0xcc
  .if (strata_vec == 8) || (strata_vec == 10) || (strata_vec == 11) || (strata_vec == 12) || (strata_vec == 13) || (strata_vec == 14) || (strata_vec == 17) || (strata_vec == 21) || (strata_vec == 29) || (strata_vec == 30)
  .else
  pushq $0
  .endif
  pushq $strata_vec
  jmp strata_x86_64_exc_common
  .set strata_vec, strata_vec + 1
  .endr
  .size strata_x86_64_isr_stubs, . - strata_x86_64_isr_stubs

  .globl strata_x86_64_irq_eoi
  .type strata_x86_64_irq_eoi, @function
strata_x86_64_irq_eoi:
  push %rax
  mov strata_x86_64_lapic_eoi(%rip), %rax
  test %rax, %rax
  jz 1f
  movl $0, (%rax)
1:
  pop %rax
  iretq
  .size strata_x86_64_irq_eoi, . - strata_x86_64_irq_eoi

  .globl strata_x86_64_irq_ignore
  .type strata_x86_64_irq_ignore, @function
strata_x86_64_irq_ignore:
  iretq
  .size strata_x86_64_irq_ignore, . - strata_x86_64_irq_ignore

  .type strata_x86_64_exc_common, @function
strata_x86_64_exc_common:
  push %rax
  push %rbx
  push %rcx
  push %rdx
  push %rsi
  push %rdi
  push %rbp
  push %r8
  push %r9
  push %r10
  push %r11
  push %r12
  push %r13
  push %r14
  push %r15
  mov %rsp, %rdi                /* struct trap_frame* */
  and $-16, %rsp
  cld
  call strata_x86_64_exception
1:
  cli
  hlt
  jmp 1b
  .size strata_x86_64_exc_common, . - strata_x86_64_exc_common
  .popsection
)");
// clang-format on
