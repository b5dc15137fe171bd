package com.example;

import io.paravm.VirtualMachine;
import io.paravm.farm.TaskFarm;

import java.util.List;
import java.util.stream.IntStream;

/** A user's first farm: squares 1..1000 on the workers; exits 1 if any result is wrong. */
public final class Squares {
    public static void main(String[] args) throws Exception {
        VirtualMachine.run(args, (vm, userArgs) -> {
            try (TaskFarm farm = TaskFarm.on(vm)) {
                List<Integer> xs = IntStream.rangeClosed(1, 1000).boxed().toList();
                List<Integer> squares = farm.map(x -> x * x, xs);
                long wrong = IntStream.range(0, xs.size()).filter(i -> squares.get(i) != xs.get(i) * xs.get(i)).count();
                System.out.println("squares: " + squares.size() + " results, " + wrong + " wrong, on "
                        + (vm.slots() - 1) + " worker slots");
                if (wrong != 0 || squares.size() != xs.size()) throw new IllegalStateException("wrong results");
            }
        });
    }
}
