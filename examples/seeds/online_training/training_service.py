import keras

from hpcsim.ml.tf import DynamicDataGenerator

generator = DynamicDataGenerator(
        sample_prefix="points",
        target_prefix="value",
        batch_size=32,
        cluster=False)

model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(32, activation="relu"), keras.layers.Dense(1)])
# model initialization
keras.utils.set_random_seed(0)
model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")

for epoch in range(100):
    model.fit(generator,
              steps_per_epoch=None,
              epochs=epoch+1,
              initial_epoch=epoch,
              batch_size=generator.batch_size,
              verbose=2)
