// SPDX-License-Identifier: GPL-2.0-only
/*
 * The control path: commands on /dev/ublk-control, as io_uring URING_CMDs
 * in 128-byte SQEs (struct ublksrv_ctrl_cmd does not fit in 64), with the
 * ioctl-encoded opcodes (UBLK_U_CMD_*). Main thread only.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "blk.h"

#define BLK_CTRL_PATH "/dev/ublk-control"

int blk_ctrl__open(struct blk_dev *dev)
{
	int err;

	dev->ctrl_fd = open(BLK_CTRL_PATH, O_RDWR | O_CLOEXEC);
	if (dev->ctrl_fd < 0)
		return -errno;
	err = io_uring_queue_init(4, &dev->ctrl_ring,
				  IORING_SETUP_SQE128 | IORING_SETUP_R_DISABLED);
	if (err) {
		close(dev->ctrl_fd);
		dev->ctrl_fd = -1;
		return err;
	}
	dev->ctrl_ring_ready = true;
	/* This ring sends ublk commands and nothing else. */
	err = blk_confine__ring(&dev->ctrl_ring, (const uint8_t[]){ IORING_OP_URING_CMD }, 1);
	if (err)
		blk_ctrl__close(dev);
	return err;
}

void blk_ctrl__close(struct blk_dev *dev)
{
	if (dev->ctrl_ring_ready)
		io_uring_queue_exit(&dev->ctrl_ring);
	dev->ctrl_ring_ready = false;
	if (dev->ctrl_fd >= 0)
		close(dev->ctrl_fd);
	dev->ctrl_fd = -1;
}

/* One command, waited for. Returns the kernel's result (>= 0) or -errno. */
static int blk_ctrl_cmd(struct blk_dev *dev, unsigned int op, int dev_id,
			void *buf, size_t len, uint64_t data0)
{
	struct ublksrv_ctrl_cmd cmd = {
		.dev_id = (uint32_t)dev_id,
		.queue_id = (uint16_t)-1,
		.addr = (uint64_t)(uintptr_t)buf,
		.len = (uint16_t)len,
		.data = { data0 },
	};
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	int err;

	sqe = io_uring_get_sqe(&dev->ctrl_ring);
	if (!sqe)
		return -EBUSY;
	memset(sqe, 0, 128);
	io_uring_prep_rw(IORING_OP_URING_CMD, sqe, dev->ctrl_fd, NULL, 0, 0);
	sqe->cmd_op = op;
	memcpy(sqe->cmd, &cmd, sizeof(cmd));
	err = io_uring_submit(&dev->ctrl_ring);
	if (err < 0)
		return err;
	do
		err = io_uring_wait_cqe(&dev->ctrl_ring, &cqe);
	while (err == -EINTR);
	if (err)
		return err;
	err = cqe->res;
	io_uring_cqe_seen(&dev->ctrl_ring, cqe);
	return err;
}

int blk_ctrl__add(struct blk_dev *dev)
{
	struct ublksrv_ctrl_dev_info info = {
		.nr_hw_queues = (uint16_t)dev->cfg.nr_queues,
		.queue_depth = (uint16_t)dev->cfg.depth,
		.max_io_buf_bytes = BLK_MAX_IO_BYTES,
		.dev_id = (uint32_t)dev->cfg.dev_id,
		.ublksrv_pid = getpid(),
		.flags = UBLK_F_CMD_IOCTL_ENCODE,
	};
	int err;

	if (dev->cfg.recovery)
		info.flags |= UBLK_F_USER_RECOVERY | UBLK_F_USER_RECOVERY_REISSUE;
	err = blk_ctrl_cmd(dev, UBLK_U_CMD_ADD_DEV, dev->cfg.dev_id, &info,
			   sizeof(info), 0);
	if (err < 0)
		return err;
	dev->info = info;
	dev->cfg.dev_id = (int)info.dev_id;
	/* The kernel trims the queues to its CPUs: serve what it made. */
	dev->cfg.nr_queues = info.nr_hw_queues;
	dev->cfg.depth = info.queue_depth;
	return 0;
}

int blk_ctrl__set_params(struct blk_dev *dev)
{
	unsigned int bs_shift = __builtin_ctz(dev->cfg.block_size);
	struct ublk_params p = {
		.len = sizeof(p),
		.types = UBLK_PARAM_TYPE_BASIC,
		.basic = {
			.attrs = dev->attrs,
			.logical_bs_shift = (uint8_t)bs_shift,
			.physical_bs_shift = (uint8_t)(bs_shift > 12 ? bs_shift : 12),
			.io_opt_shift = 12,
			.io_min_shift = (uint8_t)bs_shift,
			.max_sectors = dev->info.max_io_buf_bytes >> BLK_SECTOR_SHIFT,
			.dev_sectors = dev->cfg.size >> BLK_SECTOR_SHIFT,
		},
	};

	if (dev->discard) {
		p.types |= UBLK_PARAM_TYPE_DISCARD;
		p.discard = (struct ublk_param_discard){
			.discard_granularity = dev->cfg.block_size > 4096 ?
					       dev->cfg.block_size : 4096,
			/* One range per request: the descriptor has one. */
			.max_discard_segments = 1,
			.max_discard_sectors = 1u << 21,	/* 1 GiB */
			.max_write_zeroes_sectors = 1u << 21,
		};
	}
	return blk_ctrl_cmd(dev, UBLK_U_CMD_SET_PARAMS, dev->cfg.dev_id, &p,
			    sizeof(p), 0);
}

int blk_ctrl__get_params(struct blk_dev *dev, struct ublk_params *ret_params)
{
	struct ublk_params p = { .len = sizeof(p) };
	int err;

	err = blk_ctrl_cmd(dev, UBLK_U_CMD_GET_PARAMS, dev->cfg.dev_id, &p,
			   sizeof(p), 0);
	if (err < 0)
		return err;
	*ret_params = p;
	return 0;
}

/*
 * The kernel waits until every queue has fetched all its tags, then adds
 * the disk (which reads the partition table through our queues), so the
 * queue threads must be running.
 */
int blk_ctrl__start(struct blk_dev *dev)
{
	return blk_ctrl_cmd(dev, UBLK_U_CMD_START_DEV, dev->cfg.dev_id, NULL, 0,
			    (uint64_t)getpid());
}

int blk_ctrl__stop(struct blk_dev *dev)
{
	return blk_ctrl_cmd(dev, UBLK_U_CMD_STOP_DEV, dev->cfg.dev_id, NULL, 0, 0);
}

/* Waits until /dev/ublkcN is closed by everyone, so close it first. */
int blk_ctrl__del(struct blk_dev *dev)
{
	return blk_ctrl_cmd(dev, UBLK_U_CMD_DEL_DEV, dev->cfg.dev_id, NULL, 0, 0);
}

int blk_ctrl__get_info(struct blk_dev *dev, int dev_id)
{
	struct ublksrv_ctrl_dev_info info = { 0 };
	int err;

	err = blk_ctrl_cmd(dev, UBLK_U_CMD_GET_DEV_INFO, dev_id, &info,
			   sizeof(info), 0);
	if (err < 0)
		return err;
	dev->info = info;
	return 0;
}

int blk_ctrl__start_recovery(struct blk_dev *dev)
{
	return blk_ctrl_cmd(dev, UBLK_U_CMD_START_USER_RECOVERY, dev->cfg.dev_id,
			    NULL, 0, 0);
}

int blk_ctrl__end_recovery(struct blk_dev *dev)
{
	return blk_ctrl_cmd(dev, UBLK_U_CMD_END_USER_RECOVERY, dev->cfg.dev_id,
			    NULL, 0, (uint64_t)getpid());
}
