import Distributed
import Tensors
import XCTest

/// Without a launcher, `Distributed` is one process: no MPI is started and the collectives
/// are the single-process stand-in, so the training code is the same on one rank. (The
/// multi-rank runs are `CLITests.DistributedTrainingTests`, under mpirun.)
final class DistributedTests: XCTestCase {
    func testLaunchersAreRecognisedByTheirEnvironment() {
        XCTAssertNil(Distributed.launcher([:]))
        XCTAssertNil(Distributed.launcher(["HOME": "/root", "PATH": "/usr/bin"]))
        XCTAssertEqual(Distributed.launcher(["OMPI_COMM_WORLD_SIZE": "4", "OMPI_COMM_WORLD_RANK": "1"])?.size, 4)
        XCTAssertEqual(Distributed.launcher(["PMI_SIZE": "2", "PMI_RANK": "1"])?.rank, 1)
        XCTAssertNil(Distributed.launcher(["OMPI_COMM_WORLD_SIZE": "2", "OMPI_COMM_WORLD_RANK": "2"]), "rank out of range")
        // Slurm's variables make a rank only inside a job step (srun), not in the batch script.
        XCTAssertNil(Distributed.launcher(["SLURM_PROCID": "1", "SLURM_NTASKS": "2"]))
        XCTAssertEqual(Distributed.launcher(["SLURM_PROCID": "1", "SLURM_NTASKS": "2", "SLURM_STEP_ID": "0"])?.size, 2)
    }

    func testWithoutALauncherItIsOneProcess() throws {
        guard Distributed.launcher() == nil else { throw XCTSkip("running under a launcher") }
        try Distributed.start()
        defer { Distributed.finish() }
        XCTAssertEqual(Distributed.rank, 0)
        XCTAssertEqual(Distributed.size, 1)
        XCTAssertFalse(Collectives.isDistributed)
        XCTAssertEqual(Collectives.mean([1.5, -2]), [1.5, -2])
        XCTAssertEqual(Collectives.localRows(of: 6), 0..<6)
        let gradient = Tensor([1, 2, 3], shape: [3])
        Collectives.averageGradients([gradient])
        XCTAssertEqual(gradient.scalars, [1, 2, 3], "one rank's average is its own gradient")
    }
}
