from reasonforge.train import options


def test_a_good_section_has_no_problems():
    assert options.problems("dpo", {"beta": 0.1, "learning_rate": 1e-4, "loss_type": "sigmoid"}, {}) == []
    assert options.problems("sft", {"num_train_epochs": 3, "max_steps": -1, "lr_scheduler_type": "cosine"}, {}) == []


def test_types_come_from_the_config_class():
    found = options.problems("sft", {"learning_rate": "fast", "per_device_train_batch_size": 2.0, "packing": "yes"},
                             {"learning_rate": "a.lr"})
    assert found == ["a.lr: 'fast' is not of type float (trl.SFTConfig)",
                     "per_device_train_batch_size: 2.0 is not of type int (trl.SFTConfig)",
                     "packing: 'yes' is not of type bool (trl.SFTConfig)"]


def test_choices_come_from_the_config_class():
    assert "is not one of kto, apo_zero_unpaired" in options.problems("kto", {"loss_type": "sigmoid"}, {})[0]
    assert "is not one of sigmoid, hinge" in options.problems("dpo", {"loss_type": ["sigmoid", "nope"]}, {})[0]


def test_ranges_the_classes_do_not_check():
    found = options.problems("orpo", {"beta": -1.0, "max_steps": 0, "warmup_steps": -2}, {})
    assert [f.split(":")[0] for f in found] == ["beta", "max_steps", "warmup_steps"]
    assert options.problems("kto", {"per_device_train_batch_size": 1}, {})[0].startswith("per_device_train_batch_size: 1 must be >= 2")


def test_the_class_names_the_option_it_refuses():
    found = options.problems("args", {"learning_rate": 1e-4, "lr_scheduler_type": "nosuch"}, {"lr_scheduler_type": "x.sched"})
    assert len(found) == 1 and found[0].startswith("x.sched: nosuch is not a valid SchedulerType")
